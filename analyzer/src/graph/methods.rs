//! Privilege-escalation methods, as data: the union of the public catalogues (the
//! pathfinding.cloud paths, Rhino Security Labs' list that Cloudsplaining and Prowler use, and
//! PMapper's edges). Each method says which actions it needs, on what, and what it reaches.

/// What a method acts on, and what the principal reaches through it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// The principal itself (a user or role that edits its own policies): reaches admin.
    SelfPrincipal,
    /// A group the user belongs to: reaches admin.
    OwnGroup,
    /// A customer managed policy attached to the principal or its groups: reaches admin.
    OwnPolicy,
    /// A group that is admin: the user joins it.
    AdminGroup,
    /// Another user: the principal acts as that user.
    User,
    /// A role: the principal acts as that role.
    Role,
    /// A role the principal can already assume, made admin by editing its policies.
    AssumableRole,
    /// A role passed to a new resource of the method's service, trusted by that service. For
    /// `ec2.amazonaws.com` (instances launched directly, by an Auto Scaling group, from a
    /// launch configuration or a launch template) the role must also be in an instance
    /// profile: an instance runs as a role only through one.
    PassedRole,
    /// The role of an existing EC2 instance (from the snapshot's runtime data).
    InstanceRole,
    /// A role an existing resource of the method's service may run as (no inventory of those
    /// resources in the snapshot: the step is conditional).
    ServiceRole,
}

/// On which resource an action of a method is evaluated.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum On {
    /// The method's target (user, role, group, policy, instance).
    Target,
    /// The role being passed (`iam:PassRole`, with `iam:PassedToService`).
    PassedRole,
    /// Any resource the caller chooses (new functions, stacks, instances).
    Anything,
}

/// One escalation method.
#[derive(Debug)]
pub struct Method {
    /// Stable id, e.g. `iam-create-access-key`.
    pub id: &'static str,
    /// One line.
    pub title: &'static str,
    /// The actions required, and on what.
    pub requires: &'static [(&'static str, On)],
    /// What it acts on.
    pub target: Target,
    /// The service principal that must trust the role, for pass-role and service methods.
    pub service: Option<&'static str>,
}

use On::{Anything, PassedRole, Target as T};

macro_rules! method {
    ($id:literal, $title:literal, $target:ident, $service:expr, [$(($a:literal, $on:expr)),* $(,)?]) => {
        Method { id: $id, title: $title, target: Target::$target, service: $service, requires: &[$(($a, $on)),*] }
    };
}

/// Every method iamsight knows, listed once.
pub static METHODS: &[Method] = &[
    // Editing one's own permissions.
    method!(
        "iam-create-policy-version",
        "create a new default version of a managed policy attached to itself",
        OwnPolicy,
        None,
        [("iam:CreatePolicyVersion", T)]
    ),
    method!(
        "iam-set-default-policy-version",
        "make a broader stored version of its own managed policy the default",
        OwnPolicy,
        None,
        [("iam:SetDefaultPolicyVersion", T)]
    ),
    method!(
        "iam-put-user-policy",
        "write an inline policy on itself",
        SelfPrincipal,
        None,
        [("iam:PutUserPolicy", T)]
    ),
    method!(
        "iam-attach-user-policy",
        "attach a managed policy (AdministratorAccess) to itself",
        SelfPrincipal,
        None,
        [("iam:AttachUserPolicy", T)]
    ),
    method!(
        "iam-put-role-policy",
        "write an inline policy on its own role",
        SelfPrincipal,
        None,
        [("iam:PutRolePolicy", T)]
    ),
    method!(
        "iam-attach-role-policy",
        "attach a managed policy to its own role",
        SelfPrincipal,
        None,
        [("iam:AttachRolePolicy", T)]
    ),
    method!(
        "iam-put-group-policy",
        "write an inline policy on a group it belongs to",
        OwnGroup,
        None,
        [("iam:PutGroupPolicy", T)]
    ),
    method!(
        "iam-attach-group-policy",
        "attach a managed policy to a group it belongs to",
        OwnGroup,
        None,
        [("iam:AttachGroupPolicy", T)]
    ),
    method!(
        "iam-add-user-to-group",
        "add itself to an admin group",
        AdminGroup,
        None,
        [("iam:AddUserToGroup", T)]
    ),
    // Acting as another principal.
    method!(
        "iam-create-access-key",
        "create an access key for another user",
        User,
        None,
        [("iam:CreateAccessKey", T)]
    ),
    method!(
        "iam-create-login-profile",
        "set a console password for a user who has none",
        User,
        None,
        [("iam:CreateLoginProfile", T)]
    ),
    method!(
        "iam-update-login-profile",
        "change another user's console password",
        User,
        None,
        [("iam:UpdateLoginProfile", T)]
    ),
    method!(
        "iam-update-assume-role-policy",
        "rewrite a role's trust policy to admit itself, then assume it",
        Role,
        None,
        [("iam:UpdateAssumeRolePolicy", T), ("sts:AssumeRole", T)]
    ),
    method!(
        "sts-assume-role",
        "assume a role whose trust policy admits it",
        Role,
        None,
        [("sts:AssumeRole", T)]
    ),
    method!(
        "iam-put-role-policy-assumable",
        "write an inline policy on a role it can assume",
        AssumableRole,
        None,
        [("iam:PutRolePolicy", T)]
    ),
    method!(
        "iam-attach-role-policy-assumable",
        "attach a managed policy to a role it can assume",
        AssumableRole,
        None,
        [("iam:AttachRolePolicy", T)]
    ),
    // Passing a role to a new resource of a service.
    method!(
        "passrole-ec2-run-instances",
        "launch an EC2 instance with the role's instance profile and read its credentials",
        PassedRole,
        Some("ec2.amazonaws.com"),
        [("iam:PassRole", PassedRole), ("ec2:RunInstances", Anything)]
    ),
    method!(
        "passrole-ec2-request-spot-instances",
        "request a Spot Instance with the role's instance profile and read its credentials",
        PassedRole,
        Some("ec2.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("ec2:RequestSpotInstances", Anything)
        ]
    ),
    method!(
        "passrole-lambda-invoke",
        "create a Lambda function running as the role and invoke it",
        PassedRole,
        Some("lambda.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("lambda:CreateFunction", Anything),
            ("lambda:InvokeFunction", Anything)
        ]
    ),
    method!(
        "passrole-lambda-event-source",
        "create a Lambda function running as the role, triggered by an event source mapping",
        PassedRole,
        Some("lambda.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("lambda:CreateFunction", Anything),
            ("lambda:CreateEventSourceMapping", Anything)
        ]
    ),
    method!(
        "passrole-lambda-add-permission",
        "create a Lambda function running as the role and let anything invoke it",
        PassedRole,
        Some("lambda.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("lambda:CreateFunction", Anything),
            ("lambda:AddPermission", Anything)
        ]
    ),
    method!(
        "passrole-glue-dev-endpoint",
        "create a Glue development endpoint running as the role and log in to it",
        PassedRole,
        Some("glue.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("glue:CreateDevEndpoint", Anything)
        ]
    ),
    method!(
        "passrole-glue-job",
        "create and run a Glue job as the role",
        PassedRole,
        Some("glue.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("glue:CreateJob", Anything),
            ("glue:StartJobRun", Anything)
        ]
    ),
    method!(
        "passrole-cloudformation",
        "create a CloudFormation stack that acts as the role",
        PassedRole,
        Some("cloudformation.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("cloudformation:CreateStack", Anything)
        ]
    ),
    method!(
        "passrole-codebuild",
        "create and start a CodeBuild project running as the role",
        PassedRole,
        Some("codebuild.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("codebuild:CreateProject", Anything),
            ("codebuild:StartBuild", Anything)
        ]
    ),
    method!(
        "passrole-codebuild-start-build-batch",
        "create a CodeBuild project running as the role and start a batch build",
        PassedRole,
        Some("codebuild.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("codebuild:CreateProject", Anything),
            ("codebuild:StartBuildBatch", Anything)
        ]
    ),
    method!(
        "passrole-datapipeline",
        "create and activate a Data Pipeline running as the role",
        PassedRole,
        Some("datapipeline.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("datapipeline:CreatePipeline", Anything),
            ("datapipeline:PutPipelineDefinition", Anything),
            ("datapipeline:ActivatePipeline", Anything)
        ]
    ),
    method!(
        "passrole-ecs-run-task",
        "register and run an ECS task running as the role",
        PassedRole,
        Some("ecs-tasks.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("ecs:RegisterTaskDefinition", Anything),
            ("ecs:RunTask", Anything)
        ]
    ),
    method!(
        "passrole-ecs-create-service",
        "register an ECS task definition running as the role and create a service from it",
        PassedRole,
        Some("ecs-tasks.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("ecs:RegisterTaskDefinition", Anything),
            ("ecs:CreateService", Anything)
        ]
    ),
    method!(
        "passrole-sagemaker-notebook",
        "create a SageMaker notebook running as the role and open it",
        PassedRole,
        Some("sagemaker.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("sagemaker:CreateNotebookInstance", Anything),
            ("sagemaker:CreatePresignedNotebookInstanceUrl", Anything)
        ]
    ),
    method!(
        "passrole-sagemaker-training-job",
        "create a SageMaker training job running as the role",
        PassedRole,
        Some("sagemaker.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("sagemaker:CreateTrainingJob", Anything)
        ]
    ),
    method!(
        "passrole-sagemaker-processing-job",
        "create a SageMaker processing job running as the role",
        PassedRole,
        Some("sagemaker.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("sagemaker:CreateProcessingJob", Anything)
        ]
    ),
    method!(
        "passrole-apprunner",
        "create an App Runner service running as the role",
        PassedRole,
        Some("tasks.apprunner.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("apprunner:CreateService", Anything)
        ]
    ),
    method!(
        "passrole-bedrock-agentcore",
        "create a Bedrock AgentCore code interpreter running as the role and run code in it",
        PassedRole,
        Some("bedrock-agentcore.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("bedrock-agentcore:CreateCodeInterpreter", Anything),
            ("bedrock-agentcore:StartCodeInterpreterSession", Anything),
            ("bedrock-agentcore:InvokeCodeInterpreter", Anything)
        ]
    ),
    method!(
        "passrole-autoscaling-launch-configuration",
        "create an Auto Scaling group whose instances run as the role",
        PassedRole,
        Some("ec2.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("autoscaling:CreateLaunchConfiguration", Anything),
            ("autoscaling:CreateAutoScalingGroup", Anything)
        ]
    ),
    // Amazon EC2 Auto Scaling API permissions: CreateAutoScalingGroup with a launch template
    // also needs ec2:RunInstances (and iam:PassRole for the template's instance profile).
    method!(
        "passrole-autoscaling-launch-template",
        "create a launch template and an Auto Scaling group whose instances run as the role",
        PassedRole,
        Some("ec2.amazonaws.com"),
        [
            ("iam:PassRole", PassedRole),
            ("ec2:CreateLaunchTemplate", Anything),
            ("autoscaling:CreateAutoScalingGroup", Anything),
            ("ec2:RunInstances", Anything)
        ]
    ),
    // Taking over an existing resource that runs as a role.
    method!(
        "ssm-send-command",
        "run a command on an instance through SSM and read its role's credentials",
        InstanceRole,
        None,
        [("ssm:SendCommand", T)]
    ),
    method!(
        "ssm-start-session",
        "open an SSM session on an instance and read its role's credentials",
        InstanceRole,
        None,
        [("ssm:StartSession", T)]
    ),
    method!(
        "ec2-instance-connect",
        "push an SSH key with EC2 Instance Connect and read the instance role's credentials",
        InstanceRole,
        None,
        [("ec2-instance-connect:SendSSHPublicKey", T)]
    ),
    method!(
        "ec2-user-data-swap",
        "stop an instance, replace its user data and start it again as its role",
        InstanceRole,
        None,
        [
            ("ec2:StopInstances", T),
            ("ec2:ModifyInstanceAttribute", T),
            ("ec2:StartInstances", T)
        ]
    ),
    method!(
        "lambda-update-function-code",
        "replace the code of an existing function that runs as the role, then invoke it",
        ServiceRole,
        Some("lambda.amazonaws.com"),
        [
            ("lambda:UpdateFunctionCode", Anything),
            ("lambda:InvokeFunction", Anything)
        ]
    ),
    method!(
        "glue-update-dev-endpoint",
        "add an SSH key to an existing Glue development endpoint that runs as the role",
        ServiceRole,
        Some("glue.amazonaws.com"),
        [("glue:UpdateDevEndpoint", Anything)]
    ),
    method!(
        "lambda-update-function-configuration",
        "add a layer to an existing function that runs as the role, then invoke it",
        ServiceRole,
        Some("lambda.amazonaws.com"),
        [
            ("lambda:UpdateFunctionConfiguration", Anything),
            ("lambda:InvokeFunction", Anything)
        ]
    ),
    method!(
        "sagemaker-presigned-notebook-url",
        "open an existing SageMaker notebook that runs as the role",
        ServiceRole,
        Some("sagemaker.amazonaws.com"),
        [("sagemaker:CreatePresignedNotebookInstanceUrl", Anything)]
    ),
    method!(
        "cloudformation-update-stack",
        "update an existing CloudFormation stack whose service role is the role",
        ServiceRole,
        Some("cloudformation.amazonaws.com"),
        [("cloudformation:UpdateStack", Anything)]
    ),
    method!(
        "cloudformation-change-set",
        "create and execute a change set on an existing stack whose service role is the role",
        ServiceRole,
        Some("cloudformation.amazonaws.com"),
        [
            ("cloudformation:CreateChangeSet", Anything),
            ("cloudformation:ExecuteChangeSet", Anything)
        ]
    ),
    method!(
        "codebuild-start-build-batch",
        "start a batch build of an existing CodeBuild project with an overridden buildspec",
        ServiceRole,
        Some("codebuild.amazonaws.com"),
        [("codebuild:StartBuildBatch", Anything)]
    ),
    method!(
        "ecs-execute-command",
        "open a shell in a running ECS task whose task role is the role",
        ServiceRole,
        Some("ecs-tasks.amazonaws.com"),
        [
            ("ecs:ExecuteCommand", Anything),
            ("ecs:DescribeTasks", Anything)
        ]
    ),
    method!(
        "apprunner-update-service",
        "change the source of an existing App Runner service whose instance role is the role",
        ServiceRole,
        Some("tasks.apprunner.amazonaws.com"),
        [("apprunner:UpdateService", Anything)]
    ),
    method!(
        "bedrock-agentcore-code-interpreter-session",
        "run code in an existing Bedrock AgentCore code interpreter that runs as the role",
        ServiceRole,
        Some("bedrock-agentcore.amazonaws.com"),
        [
            ("bedrock-agentcore:StartCodeInterpreterSession", Anything),
            ("bedrock-agentcore:InvokeCodeInterpreter", Anything)
        ]
    ),
    method!(
        "codebuild-start-build-override",
        "start an existing CodeBuild project with an overridden buildspec as its role",
        ServiceRole,
        Some("codebuild.amazonaws.com"),
        [("codebuild:StartBuild", Anything)]
    ),
];

/// A method by id.
pub fn method(id: &str) -> Option<&'static Method> {
    METHODS.iter().find(|m| m.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use iam_model::catalog::Catalog;

    #[test]
    fn ids_are_unique_and_actions_exist_in_the_catalog() {
        let cat = Catalog::embedded();
        let mut ids = std::collections::BTreeSet::new();
        for m in METHODS {
            assert!(ids.insert(m.id), "duplicate {}", m.id);
            for (a, _) in m.requires {
                assert!(cat.action_id(a).is_some(), "{}: unknown action {a}", m.id);
            }
            let passes = m.requires.iter().any(|(_, on)| *on == PassedRole);
            assert_eq!(passes, m.target == Target::PassedRole, "{}", m.id);
            assert_eq!(
                m.service.is_some(),
                matches!(m.target, Target::PassedRole | Target::ServiceRole),
                "{}",
                m.id
            );
        }
    }
}
