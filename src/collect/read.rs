//! Reading helpers shared by the service collectors, so every listing pages the same way
//! and every failure becomes the same kind of gap:
//! - [`Recorder::pages`]: every page of a paginated call, each item with the provenance of
//!   the page it came from, and a gap when a page fails;
//! - [`Groups`]: one resource's attribute groups, each read with one call that either
//!   cites its response or leaves the group unread with a gap.

use std::collections::BTreeMap;
use std::future::Future;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::aws::{Capture, Failure, FailureKind};
use super::recorder::Recorder;
use crate::snapshot::{Provenance, Unread};

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

impl<'a> Paging<'a> {
    /// A listing: a failure leaves `resource_types` unread in `account`/`region`.
    pub fn listing(
        account: &'a str,
        region: &'a str,
        operation: &'static str,
        resource_types: &'a [&'a str],
    ) -> Paging<'a> {
        Paging {
            account,
            region,
            operation,
            resource_types,
            subject: "",
        }
    }

    /// The pages of one attribute group of `subject` (a resource ARN), or of something
    /// else a failure leaves no resource type unread for.
    pub fn of(
        account: &'a str,
        region: &'a str,
        operation: &'static str,
        subject: &'a str,
    ) -> Paging<'a> {
        Paging {
            account,
            region,
            operation,
            resource_types: &[],
            subject,
        }
    }
}

/// The next page's marker for APIs that return one only with `IsTruncated`/`Truncated`
/// (IAM, KMS): a marker on the last page is ignored.
pub fn next_marker(marker: Option<&str>, truncated: bool) -> Option<String> {
    marker.map(str::to_string).filter(|_| truncated)
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
        Fut: Future<Output = Result<Out, SdkError<E, HttpResponse>>> + Send + 'static,
        Out: Send + 'static,
        E: ProvideErrorMetadata + std::error::Error + Send + 'static,
    {
        let mut read = Pages {
            items: Vec::new(),
            pages: Vec::new(),
            failed: None,
        };
        let mut token: Option<String> = None;
        loop {
            let page = self
                .call(paging.account, paging.region, paging.operation, |c| {
                    send(token.clone(), c)
                })
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

/// The provenance and unread groups of one resource while its attribute groups are read.
/// Every group is either cited (the call that filled it) or unread (the gap that explains
/// it), never silently blank.
pub struct Groups<'a> {
    recorder: &'a Recorder,
    account: &'a str,
    /// The region the calls are made in and their gaps recorded for.
    region: &'a str,
    /// The resource, for gap messages.
    subject: &'a str,
    pub provenance: BTreeMap<String, Provenance>,
    pub unread: Vec<Unread>,
}

impl<'a> Groups<'a> {
    /// Nothing read yet.
    pub fn new(
        recorder: &'a Recorder,
        account: &'a str,
        region: &'a str,
        subject: &'a str,
    ) -> Groups<'a> {
        Groups {
            recorder,
            account,
            region,
            subject,
            provenance: BTreeMap::new(),
            unread: Vec::new(),
        }
    }

    /// Starts with the listing call that found the resource as its `resource` group.
    pub fn listed(
        recorder: &'a Recorder,
        account: &'a str,
        region: &'a str,
        subject: &'a str,
        listed: Provenance,
    ) -> Groups<'a> {
        let mut groups = Groups::new(recorder, account, region, subject);
        groups.cite("resource", listed);
        groups
    }

    /// A record for more groups of the same resource, read at the same time as this
    /// one's (a `&mut` record serves one read at a time); [`Groups::absorb`] joins it back.
    pub fn fork(&self) -> Groups<'a> {
        Groups::new(self.recorder, self.account, self.region, self.subject)
    }

    /// Takes in the citations and unread groups of a [`Groups::fork`]. Joined in a fixed
    /// order, the result is the same as reading the groups one after another.
    pub fn absorb(&mut self, other: Groups<'a>) {
        self.provenance.extend(other.provenance);
        self.unread.extend(other.unread);
    }

    /// `group` was read by the call `provenance` describes.
    pub fn cite(&mut self, group: &str, provenance: Provenance) {
        self.provenance.insert(group.to_string(), provenance);
    }

    /// Reads `group` with one call: on success the group cites the response and the
    /// output is returned; on failure a gap is recorded, the group is unread and `None` is
    /// returned.
    pub async fn read<T, E, Fut>(
        &mut self,
        group: &str,
        operation: &'static str,
        send: impl FnMut(Capture) -> Fut,
    ) -> Option<T>
    where
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>> + Send + 'static,
        T: Send + 'static,
        E: ProvideErrorMetadata + std::error::Error + Send + 'static,
    {
        self.read_optional(&[group], operation, &[], send)
            .await
            .flatten()
    }

    /// Reads `groups` with one call that fills them all, for settings AWS may report as
    /// absent with an error: on success all cite the response; a service error whose code
    /// is in `absent` (e.g. `NoSuchLifecycleConfiguration`) is the fact "not configured",
    /// cited by the error response, and gives `Some(None)`; any other failure leaves all
    /// unread with one gap and gives `None`.
    pub async fn read_optional<T, E, Fut>(
        &mut self,
        groups: &[&str],
        operation: &'static str,
        absent: &[&str],
        send: impl FnMut(Capture) -> Fut,
    ) -> Option<Option<T>>
    where
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>> + Send + 'static,
        T: Send + 'static,
        E: ProvideErrorMetadata + std::error::Error + Send + 'static,
    {
        match self
            .recorder
            .call(self.account, self.region, operation, send)
            .await
        {
            Ok((out, p)) => {
                for group in groups {
                    self.cite(group, p.clone());
                }
                Some(Some(out))
            }
            Err(e)
                if e.failure.kind == FailureKind::Service
                    && absent.contains(&e.failure.code.as_str()) =>
            {
                if let Some(p) = e.provenance {
                    for group in groups {
                        self.cite(group, p.clone());
                    }
                }
                Some(None)
            }
            Err(e) => {
                let gap = self.gap(operation, &e.failure);
                for group in groups {
                    self.unread_by(group, &gap);
                }
                None
            }
        }
    }

    /// Records that `group` could not be read (`failure` of `operation`) and returns the
    /// gap id.
    pub fn miss(&mut self, group: &str, operation: &str, failure: &Failure) -> String {
        let gap = self.gap(operation, failure);
        self.unread_by(group, &gap);
        gap
    }

    /// Records an attribute gap about this resource.
    fn gap(&self, operation: &str, failure: &Failure) -> String {
        self.recorder.gap(
            self.account,
            self.region,
            operation,
            failure,
            &[],
            self.subject,
        )
    }

    /// Leaves `group` unread because of an existing gap.
    pub fn unread_by(&mut self, group: &str, gap: &str) {
        self.provenance.remove(group);
        self.unread.push(Unread {
            group: group.to_string(),
            gap: gap.to_string(),
        });
    }

    /// Fills `group` from every page of a call: the group cites the first page, or, when
    /// a page failed, is unread with that gap and `None` is returned (a partial list must
    /// not look like the whole).
    pub fn paged<T>(&mut self, group: &str, pages: Pages<T>) -> Option<Vec<T>> {
        if let Some(gap) = pages.gap() {
            self.unread_by(group, gap);
            return None;
        }
        if let Some(first) = pages.first_page() {
            self.cite(group, first.clone());
        }
        Some(pages.items.into_iter().map(|(item, _)| item).collect())
    }

    /// The provenance map and unread list, for [`super::resource`].
    pub fn finish(self) -> (BTreeMap<String, Provenance>, Vec<Unread>) {
        (self.provenance, self.unread)
    }
}
