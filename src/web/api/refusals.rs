//! The refusals every operation can answer, written into the OpenAPI
//! document once rather than on each handler: a client (or a fuzzer
//! checking conformance) finds every status the server may send described.
//! Handlers describe their own successes and the refusals particular to
//! them; anything they leave out that applies to them is added here.

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// When a refusal applies to an operation.
#[derive(Clone, Copy)]
enum Applies {
    Always,
    /// The path names a record.
    WithPathRecord,
    /// The operation takes a query, a path or a body.
    WithInput,
    WithBody,
    /// POST, PUT, PATCH and DELETE.
    ToWrites,
}

/// Each refusal: status, when it applies, what it means, and whether its
/// body is the JSON error (`ErrorBody`); the two refused before any handler
/// runs carry none.
const REFUSALS: [(&str, Applies, &str, bool); 10] = [
    ("401", Applies::Always, "Not signed in: no, an unknown, an expired or a revoked token", true),
    ("403", Applies::Always, "Not permitted: the role, the token's scope, or a password that must be changed first", true),
    ("404", Applies::WithPathRecord, "No such record, or one the caller may not see", true),
    ("408", Applies::Always, "The request's body or answer took longer than `http.request_seconds`", false),
    ("409", Applies::ToWrites, "`stale_version` (reload and apply the change again) or `conflict` (the record's state refuses it)", true),
    ("413", Applies::WithBody, "The body is over 1 MiB", false),
    ("415", Applies::WithBody, "The body is not `application/json`", true),
    ("422", Applies::WithInput, "Bad input: `fields` names each field and what is wrong with it", true),
    ("429", Applies::Always, "Too many attempts from this address or for this account: wait and try again", true),
    ("503", Applies::Always, "The database cannot serve now (unreachable, its disk full): try again after `Retry-After`", true),
];

/// Adds to every operation of `doc` the refusals that apply to it and that
/// it does not describe itself.
pub fn describe(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let names_record = path.contains('{');
        for (operation, writes) in operations(item) {
            add_refusals(operation, names_record, writes);
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = (&mut Operation, bool)> {
    [
        (item.get.as_mut(), false),
        (item.head.as_mut(), false),
        (item.post.as_mut(), true),
        (item.put.as_mut(), true),
        (item.patch.as_mut(), true),
        (item.delete.as_mut(), true),
    ]
    .into_iter()
    .filter_map(|(op, writes)| op.map(|op| (op, writes)))
}

fn add_refusals(operation: &mut Operation, names_record: bool, writes: bool) {
    let has_body = operation.request_body.is_some();
    let has_input = has_body || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    for (status, applies, description, json) in REFUSALS {
        let applies = match applies {
            Applies::Always => true,
            Applies::WithPathRecord => names_record,
            Applies::WithInput => has_input,
            Applies::WithBody => has_body,
            Applies::ToWrites => writes,
        };
        if applies {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| refusal(description, json));
        }
    }
}

fn refusal(description: &str, json: bool) -> RefOr<Response> {
    let response = ResponseBuilder::new().description(description);
    let response = if json {
        let error = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build();
        response.content("application/json", error)
    } else {
        response
    };
    RefOr::T(response.build())
}
