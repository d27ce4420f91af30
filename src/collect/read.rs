//! Reading helpers shared by the service collectors, so every listing pages the same way
//! and every failure becomes the same kind of gap:
//! - [`Recorder::pages`]: every page of a paginated call, each item with the provenance of
//!   the page it came from, and a gap when a page fails.

use std::future::Future;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::aws::{Capture, Failure};
use super::recorder::Recorder;
use crate::snapshot::Provenance;

/// One paginated call: what it is and where its failure is recorded.
#[derive(Debug, Clone, Copy)]
pub struct Paging<'a> {
    pub account: &'a str,
    /// The region the call is made in, and the region of its gap (`global` for IAM and
    /// the S3 listing).
    pub region: &'a str,
    pub operation: &'static str,
    /// The resource types a failure leaves unread: a listing gap. Empty when the pages
    /// fill one attribute group of a resource that is already listed.
    pub resource_types: &'a [&'a str],
    /// What the call was about (a resource ARN for an attribute group; empty for a listing).
    pub subject: &'a str,
}

/// What [`Recorder::pages`] read.
#[derive(Debug)]
pub struct Pages<T> {
    /// Every item read, in order, each with the provenance of the page it came from.
    pub items: Vec<(T, Provenance)>,
    /// The provenance of every page read, in order (a listing with no items still has one).
    pub pages: Vec<Provenance>,
    /// When a page failed: the gap recorded for it and why. `items` then holds only the
    /// pages before it.
    pub failed: Option<(String, Failure)>,
}

impl<T> Pages<T> {
    /// The items, or `None` when a page failed: for callers for which a partial list must
    /// not look complete.
    pub fn complete(self) -> Option<Vec<(T, Provenance)>> {
        self.failed.is_none().then_some(self.items)
    }

    /// The provenance of the first page, which is what an attribute group filled from
    /// several pages cites.
    pub fn first_page(&self) -> Option<&Provenance> {
        self.pages.first()
    }

    /// The gap id, when a page failed.
    pub fn gap(&self) -> Option<&str> {
        self.failed.as_ref().map(|(id, _)| id.as_str())
    }
}

impl Recorder {
    /// Reads every page of a paginated call. `send` builds and sends the request for a
    /// page token (`None` for the first page) with the given [`Capture`] attached; `split`
    /// takes a page apart into its items and the next token (`None` on the last page; the
    /// caller folds in `IsTruncated`/`Truncated` where the API has one). The first failure
    /// stops the reading and is recorded as a gap described by `paging`.
    pub async fn pages<Out, T, E, Fut>(
        &self,
        paging: Paging<'_>,
        mut send: impl FnMut(Option<String>, Capture) -> Fut,
        mut split: impl FnMut(Out) -> (Vec<T>, Option<String>),
    ) -> Pages<T>
    where
        Fut: Future<Output = Result<Out, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let mut read = Pages {
            items: Vec::new(),
            pages: Vec::new(),
            failed: None,
        };
        let mut token: Option<String> = None;
        loop {
            let page = self
                .call(paging.region, paging.operation, |c| send(token.take(), c))
                .await;
            match page {
                Ok((out, provenance)) => {
                    let (items, next) = split(out);
                    read.items
                        .extend(items.into_iter().map(|i| (i, provenance.clone())));
                    read.pages.push(provenance);
                    token = next;
                    if token.is_none() {
                        return read;
                    }
                }
                Err(e) => {
                    let gap = self.gap(
                        paging.account,
                        paging.region,
                        paging.operation,
                        &e.failure,
                        paging.resource_types,
                        paging.subject,
                    );
                    read.failed = Some((gap, e.failure));
                    return read;
                }
            }
        }
    }
}
