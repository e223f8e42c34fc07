//! Who issues a command: taken from the authenticated token, never from the request body.

use serde::{Deserialize, Serialize};

/// The roles of DESIGN.md. Only `Admin` and `HrAdviser` may issue commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    HrAdviser,
    Payroll,
    Auditor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::HrAdviser => "hr_adviser",
            Role::Payroll => "payroll",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "hr_adviser" => Some(Role::HrAdviser),
            "payroll" => Some(Role::Payroll),
            "auditor" => Some(Role::Auditor),
            _ => None,
        }
    }

    pub fn may_issue_commands(self) -> bool {
        matches!(self, Role::Admin | Role::HrAdviser)
    }

    pub const ALL: [Role; 4] = [Role::Admin, Role::HrAdviser, Role::Payroll, Role::Auditor];
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An authenticated actor: a name (token name or user) and a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    pub fn new(name: impl Into<String>, role: Role) -> Self {
        Actor {
            name: name.into(),
            role,
        }
    }
}
