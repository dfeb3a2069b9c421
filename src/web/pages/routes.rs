//! A page file's routes, recorded as they are added: the router serves
//! them, and the table lists them for the route matrix, which checks that
//! every page route is probed for every role.

use crate::app::App;
use axum::handler::Handler;
use axum::routing::{get, post};
use axum::Router;

/// Routes and the (method, path) of each.
#[derive(Default)]
pub struct PageRoutes {
    router: Router<App>,
    table: Vec<(&'static str, &'static str)>,
}

impl PageRoutes {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get<H: Handler<T, App>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("GET", path, get(handler))
    }

    pub fn post<H: Handler<T, App>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("POST", path, post(handler))
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        handler: axum::routing::MethodRouter<App>,
    ) -> Self {
        // axum merges the methods of one path.
        self.router = self.router.route(path, handler);
        self.table.push((method, path));
        self
    }

    pub fn merge(mut self, other: Self) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    pub fn into_router(self) -> Router<App> {
        self.router
    }

    pub fn table(&self) -> &[(&'static str, &'static str)] {
        &self.table
    }
}
