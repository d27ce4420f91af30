//! Why a plan file could not be read. Every message names the file and, for a value of
//! the wrong shape, the JSON path of the field, so a user can find it with `jq`.

/// A plan that cannot be turned into a snapshot (exit status 2; nothing is evaluated).
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("cannot read plan {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: not a JSON document: {message}")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: the file is {encoding} that cannot be decoded: {detail}")]
    Encoding {
        path: String,
        encoding: String,
        detail: String,
    },
    #[error("{path} is not a Terraform plan: it is {what}")]
    NotAPlan { path: String, what: String },
    #[error("{path}: `{field}`: {message}")]
    Field {
        path: String,
        field: String,
        message: String,
    },
}

/// A short description of a JSON value's kind, for "expected …, found …" messages.
pub fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}
