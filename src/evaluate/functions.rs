//! The functions assay adds to CEL. Joins (`related`, `of_type`) go through the snapshot
//! index and record what they touched, so a rule that reads another resource cites that
//! resource's API calls as evidence, and a rule that needed a resource type the collector
//! could not list yields GAP instead of a verdict on partial data.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use cel::common::types::CelList;
use cel::common::value::{CowVal, Val};
use cel::{Context, ExecutionError, FunctionContext, Value};
use chrono::{DateTime, Utc};

use super::values::{Resources, Shared};

use crate::snapshot::{RESOURCE_TYPES, Snapshot, resources::service_of};

/// What the functions touched during one expression evaluation.
#[derive(Debug, Default)]
pub struct Touched {
    /// The account of the resource being evaluated (scope of `of_type`).
    pub account: String,
    pub gaps: BTreeSet<String>,
    /// Resources read through `related`: always cited.
    pub related: BTreeSet<usize>,
    /// Resources `of_type`/`all_of_type` returned: cited when the verdict rests on them
    /// (see `evaluate::cited_joins`), not merely because a filter looked at them.
    pub joined: BTreeSet<usize>,
    /// Plan snapshots: why a joined value is not known yet ("known after apply", or a
    /// resource outside the plan). The assertion becomes UNKNOWN.
    pub unknown: BTreeSet<String>,
    /// Plan snapshots: the types `of_type`/`all_of_type` listed. A plan shows only the
    /// resources of its configuration, so a join that finds nothing proves nothing.
    pub partial: BTreeSet<String>,
}

/// The snapshot, indexed for joins, with each resource converted to a CEL value once.
///
/// Every lookup a join makes goes through a map built here once per evaluation (by ARN, by
/// type, by type within an account, listing gaps by type and account): a join costs what it
/// returns, not a scan of the snapshot, so evaluation stays linear in the resources.
pub struct Index {
    /// Every resource as a CEL value, in snapshot order, handed out as [`Shared`].
    resources: Resources,
    /// Per resource: the gaps behind its unread attribute groups.
    unread: Vec<Vec<String>>,
    /// Per resource: why some of its attributes are not known yet (plan snapshots).
    unknown: Vec<Vec<String>>,
    /// Whether the snapshot was made from a Terraform plan (`origin.kind == "plan"`).
    plan: bool,
    /// Accounts the snapshot covers; empty when it does not say (fixtures).
    accounts: HashSet<String>,
    /// Per account covered: the regions read.
    regions_read: HashMap<String, Vec<String>>,
    by_arn: HashMap<String, usize>,
    /// Positions by type, in snapshot order.
    by_type: HashMap<String, Vec<usize>>,
    /// Positions by (type, account), in snapshot order: `of_type` within one account.
    by_type_account: HashMap<(String, String), Vec<usize>>,
    /// Per (type, account): every unread-group gap and unknown reason of its resources,
    /// which any join over them records (`of_type_where` as much as `of_type`).
    caveats_by_type_account: HashMap<(String, String), (Vec<String>, Vec<String>)>,
    /// `of_type_where` lookups: per (type, field), positions by (account, field value),
    /// built on first use and shared by every thread.
    field_indexes: LazyIndexes<FieldIndex>,
    /// `of_type_covering` lookups: per (type, flag field), the resources of any account
    /// whose flag is true, and those whose flag is not a bool (which could be either),
    /// built on first use and shared by every thread.
    flag_indexes: LazyIndexes<FlagIndex>,
    /// Listing gap ids by type (any account) and by (type, account).
    gaps_by_type: HashMap<String, Vec<String>>,
    gaps_by_type_account: HashMap<(String, String), Vec<String>>,
    /// Listing gaps by account: (gap id, type, region), for `related` of an absent ARN.
    gaps_by_account: HashMap<String, Vec<(String, String, String)>>,
    pub collected_at: DateTime<Utc>,
}

impl Index {
    pub fn new(snapshot: &Snapshot) -> Index {
        let resources = &snapshot.resources;
        // The conversion to CEL values is most of the cost; resources are independent.
        let values = Arc::new(super::parallel::map(
            resources,
            || (),
            |_, r| super::resource_val(r),
        ));
        let unread: Vec<Vec<String>> = resources
            .iter()
            .map(|r| r.unread.iter().map(|u| u.gap.clone()).collect())
            .collect();
        // A join finds a planned resource by its address (the placeholder ARN), so an
        // account the plan does not show does not make what the join reads unknown; a
        // rule reading the resource's own account still sees that group unknown.
        let unknown: Vec<Vec<String>> = resources
            .iter()
            .map(|r| {
                r.unknown
                    .iter()
                    .filter(|u| u.group != "account")
                    .map(|u| u.reason.clone())
                    .collect()
            })
            .collect();
        let accounts = snapshot
            .accounts
            .iter()
            .map(|a| a.account_id.clone())
            .collect();
        let regions_read = snapshot
            .accounts
            .iter()
            .map(|a| (a.account_id.clone(), a.regions_read.clone()))
            .collect();
        let mut by_arn = HashMap::with_capacity(resources.len());
        let mut by_type: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_type_account: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, r) in resources.iter().enumerate() {
            by_arn.insert(r.arn.clone(), i);
            by_type
                .entry(r.type_name().to_string())
                .or_default()
                .push(i);
            by_type_account
                .entry((r.type_name().to_string(), r.account.clone()))
                .or_default()
                .push(i);
        }
        let mut caveats_by_type_account: HashMap<(String, String), (Vec<String>, Vec<String>)> =
            HashMap::new();
        for (key, positions) in &by_type_account {
            // Exactly what `of_type` records for each resource it returns.
            let mut gaps: Vec<String> = positions
                .iter()
                .flat_map(|&pos| unread[pos].iter().cloned())
                .collect();
            let mut reasons: Vec<String> = positions
                .iter()
                .flat_map(|&pos| unknown[pos].iter().cloned())
                .collect();
            gaps.sort();
            gaps.dedup();
            reasons.sort();
            reasons.dedup();
            if !gaps.is_empty() || !reasons.is_empty() {
                caveats_by_type_account.insert(key.clone(), (gaps, reasons));
            }
        }
        let mut gaps_by_type: HashMap<String, Vec<String>> = HashMap::new();
        let mut gaps_by_type_account: HashMap<(String, String), Vec<String>> = HashMap::new();
        let mut gaps_by_account: HashMap<String, Vec<(String, String, String)>> = HashMap::new();
        for g in &snapshot.gaps {
            for t in &g.resource_types {
                gaps_by_type
                    .entry(t.clone())
                    .or_default()
                    .push(g.id.clone());
                gaps_by_type_account
                    .entry((t.clone(), g.account.clone()))
                    .or_default()
                    .push(g.id.clone());
                gaps_by_account.entry(g.account.clone()).or_default().push((
                    g.id.clone(),
                    t.clone(),
                    g.region.clone(),
                ));
            }
        }
        Index {
            resources: values,
            unread,
            unknown,
            plan: snapshot.origin.kind == "plan",
            accounts,
            regions_read,
            by_arn,
            by_type,
            by_type_account,
            caveats_by_type_account,
            field_indexes: LazyIndexes::default(),
            flag_indexes: LazyIndexes::default(),
            gaps_by_type,
            gaps_by_type_account,
            gaps_by_account,
            collected_at: snapshot.collected_at,
        }
    }

    /// The resource at `pos` as a CEL value: shared, not copied.
    pub fn resource(&self, pos: usize) -> Box<dyn Val> {
        Box::new(Shared::new(self.resources.clone(), pos))
    }

    /// The resources at `positions`, as a CEL list.
    fn list(&self, positions: &[usize]) -> Box<dyn Val> {
        Box::new(CelList::from(
            positions
                .iter()
                .map(|&pos| self.resource(pos))
                .collect::<Vec<_>>(),
        ))
    }

    /// The string at a resource's top-level `field`, if it is one.
    fn field_str(&self, pos: usize, field: &str) -> Option<&str> {
        super::values::field(self.resources[pos].as_ref(), field).and_then(super::values::as_str)
    }

    pub fn position(&self, arn: &str) -> Option<usize> {
        self.by_arn.get(arn).copied()
    }

    /// Positions of the resources of `type_name`, in snapshot order.
    pub fn of_type(&self, type_name: &str) -> &[usize] {
        self.by_type.get(type_name).map_or(&[], Vec::as_slice)
    }

    /// Positions of the resources of `type_name` in `account` (every account when None),
    /// in snapshot order.
    fn of_type_in(&self, type_name: &str, account: Option<&str>) -> &[usize] {
        match account {
            None => self.of_type(type_name),
            Some(account) => self
                .by_type_account
                .get(&(type_name.to_string(), account.to_string()))
                .map_or(&[], Vec::as_slice),
        }
    }

    /// Positions of the resources of `type_name` in `account` whose top-level `field` is
    /// the string `value`, in snapshot order: one hash lookup (the index of that type and
    /// field is built on the first call).
    fn of_type_where(
        &self,
        type_name: &str,
        account: &str,
        field: &str,
        value: &str,
    ) -> Vec<usize> {
        let index = self.field_indexes.get_or_build(type_name, field, || {
            let mut by_value: HashMap<(String, String), Vec<usize>> = HashMap::new();
            for &pos in self.of_type(type_name) {
                if let Some(v) = self.field_str(pos, field)
                    && let Some(a) = self.field_str(pos, "account")
                {
                    by_value
                        .entry((a.to_string(), v.to_string()))
                        .or_default()
                        .push(pos);
                }
            }
            by_value
        });
        index
            .get(&(account.to_string(), value.to_string()))
            .cloned()
            .unwrap_or_default()
    }

    /// Positions of the resources of `type_name` in `account`, plus those of any account
    /// whose top-level `flag` is true, in snapshot order; and the positions whose caveats
    /// (unread groups, unknown reasons) a join over them must record: those it returns
    /// and those whose flag is not a bool (they may cover `account` too).
    fn of_type_covering(
        &self,
        type_name: &str,
        account: &str,
        flag: &str,
    ) -> (Vec<usize>, Vec<usize>) {
        let index = self.flag_indexes.get_or_build(type_name, flag, || {
            let mut index = FlagIndex::default();
            for &pos in self.of_type(type_name) {
                let value = super::values::field(self.resources[pos].as_ref(), flag)
                    .and_then(super::values::as_bool);
                match value {
                    Some(true) => index.set.push(pos),
                    Some(false) => {}
                    None => index.undecided.push(pos),
                }
            }
            index
        });
        let mut returned = self.of_type_in(type_name, Some(account)).to_vec();
        returned.extend_from_slice(&index.set);
        returned.sort_unstable();
        returned.dedup();
        let mut caveats = returned.clone();
        caveats.extend_from_slice(&index.undecided);
        caveats.sort_unstable();
        caveats.dedup();
        (returned, caveats)
    }

    /// Listing gaps for `type_name` in `account` (all accounts when None), any region.
    fn gaps_for(&self, type_name: &str, account: Option<&str>) -> &[String] {
        match account {
            None => self.gaps_by_type.get(type_name),
            Some(account) => self
                .gaps_by_type_account
                .get(&(type_name.to_string(), account.to_string())),
        }
        .map_or(&[], Vec::as_slice)
    }

    /// Listing gaps that could hide the resource named by `arn`.
    fn gaps_hiding(&self, arn: &str) -> Vec<&str> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() < 5 {
            return Vec::new();
        }
        let (service, region, account) = (parts[2], parts[3], parts[4]);
        self.gaps_by_account
            .get(account)
            .into_iter()
            .flatten()
            .filter(|(_, t, r)| {
                (r == region || r == "global" || region.is_empty())
                    && service_of(t) == Some(service)
            })
            .map(|(id, ..)| id.as_str())
            .collect()
    }
}

/// Indexes built on first use, keyed by (type, field).
struct LazyIndexes<T>(Mutex<HashMap<(String, String), Arc<T>>>);

impl<T> Default for LazyIndexes<T> {
    fn default() -> Self {
        LazyIndexes(Mutex::new(HashMap::new()))
    }
}

/// `of_type_where`: positions by (account, field value).
type FieldIndex = HashMap<(String, String), Vec<usize>>;

/// `of_type_covering`: positions (any account, snapshot order) whose flag is true, and
/// whose flag is not a bool.
#[derive(Default)]
struct FlagIndex {
    set: Vec<usize>,
    undecided: Vec<usize>,
}

impl<T> LazyIndexes<T> {
    fn get_or_build(&self, type_name: &str, field: &str, build: impl FnOnce() -> T) -> Arc<T> {
        let key = (type_name.to_string(), field.to_string());
        // A poisoned lock only means another thread panicked; the map is still sound.
        let mut indexes = self.0.lock().unwrap_or_else(|e| e.into_inner());
        indexes
            .entry(key)
            .or_insert_with(|| Arc::new(build()))
            .clone()
    }
}

/// The prefix of the gap a join records when it looks for a resource in a region of a
/// covered account that was not read: `region-not-read:ACCOUNT:REGION`.
pub const REGION_NOT_READ: &str = "region-not-read:";

/// The prefix of the gap a join records for an account the snapshot did not cover:
/// `out-of-scope:ACCOUNT`. Nothing was looked for there, so not finding it says nothing.
pub const OUT_OF_SCOPE: &str = "out-of-scope:";

fn string_arg(function: &str, value: &Value) -> Result<Option<Arc<String>>, ExecutionError> {
    match value {
        Value::String(s) => Ok(Some(s.clone())),
        Value::Null => Ok(None),
        other => Err(ExecutionError::function_error(
            function,
            format!("expected a string, got {}", other.type_of()),
        )),
    }
}

/// A join's first argument: the name of a registered resource type. A null or unknown
/// name is an error of the rule, never an empty join.
fn type_arg(function: &str, value: &Value) -> Result<Arc<String>, ExecutionError> {
    let Some(type_name) = string_arg(function, value)? else {
        return Err(ExecutionError::function_error(
            function,
            "type name is null",
        ));
    };
    if !RESOURCE_TYPES.contains(&type_name.as_str()) {
        return Err(ExecutionError::function_error(
            function,
            format!("unknown resource type `{type_name}`"),
        ));
    }
    Ok(type_name)
}

/// A function that takes its arguments and gives its result as the interpreter's own
/// values: a join hands over the resources it returns without copying them through
/// `Value` (a resource is a map of maps; a copy of each, in and out, was most of the cost
/// of evaluating a rule that joins).
pub(super) type Handler = Box<
    dyn for<'c, 'k> Fn(&mut FunctionContext<'c, 'k>) -> Result<CowVal<'c, 'k>, ExecutionError>
        + Send
        + Sync,
>;

pub(super) fn handler<F>(f: F) -> Handler
where
    F: for<'c, 'k> Fn(&mut FunctionContext<'c, 'k>) -> Result<CowVal<'c, 'k>, ExecutionError>
        + Send
        + Sync
        + 'static,
{
    Box::new(f)
}

/// The `N` arguments of a call as `Value`s (names and ARNs: small strings). A call with
/// another number of arguments is the interpreter's own error for it.
fn args<const N: usize>(ftx: &FunctionContext) -> Result<[Value; N], ExecutionError> {
    if ftx.args.len() != N {
        return Err(ExecutionError::invalid_argument_count(N, ftx.args.len()));
    }
    let mut out: [Value; N] = std::array::from_fn(|_| Value::Null);
    for (slot, arg) in out.iter_mut().zip(&ftx.args) {
        *slot = Value::try_from(arg.as_ref())?;
    }
    Ok(out)
}

fn null<'c, 'k>() -> Result<CowVal<'c, 'k>, ExecutionError> {
    Ok(CowVal::Owned(Box::new(cel::common::types::CelNull)))
}

/// Adds assay's functions to a root context: the joins, which read the snapshot through
/// `index` and record in `touched` what they read, then the functions of one value.
pub fn register(ctx: &mut Context<'_, '_>, index: Arc<Index>, touched: Arc<Mutex<Touched>>) {
    register_related(ctx, &index, &touched);
    register_of_type(ctx, &index, &touched);
    register_of_type_where(ctx, &index, &touched);
    register_all_of_type_in(ctx, &index, &touched);
    register_of_type_covering(ctx, &index, &touched);
    register_of_type_in_accounts(ctx, &index, &touched);
    register_aged(ctx, &index);
    register_value_functions(ctx);
}

/// `related(arn)`: the resource with that ARN, or null with the gap that may hide it.
fn register_related(ctx: &mut Context<'_, '_>, index: &Arc<Index>, touched: &Arc<Mutex<Touched>>) {
    let (i, t) = (index.clone(), touched.clone());
    let _ = ctx.add_function(
        "related",
        handler(move |ftx| {
            let [arn] = args(ftx)?;
            let Some(arn) = string_arg("related", &arn)? else {
                return null();
            };
            let mut touched = t
                .lock()
                .map_err(|_| ExecutionError::function_error("related", "state poisoned"))?;
            match i.position(&arn) {
                Some(pos) => {
                    touched.related.insert(pos);
                    // A joined resource with unread attributes may be missing exactly what the
                    // rule reads; be conservative and let the verdict become GAP.
                    touched.gaps.extend(i.unread[pos].iter().cloned());
                    touched.unknown.extend(i.unknown[pos].iter().cloned());
                    Ok(CowVal::Owned(i.resource(pos)))
                }
                // A plan holds only what its configuration manages: a resource it does not
                // hold exists elsewhere (or not at all), and its attributes are not known.
                None if i.plan => {
                    touched.unknown.insert(format!("{arn} is not in the plan"));
                    null()
                }
                None => {
                    for gap in i.gaps_hiding(&arn) {
                        touched.gaps.insert(gap.to_string());
                    }
                    // A resource in an account the snapshot did not cover was never looked
                    // for: that is a gap, not an absence.
                    let account = arn.split(':').nth(4).unwrap_or("");
                    if !i.accounts.is_empty()
                        && !account.is_empty()
                        && !i.accounts.contains(account)
                    {
                        touched.gaps.insert(format!("{OUT_OF_SCOPE}{account}"));
                    }
                    // A resource in a region of a covered account that the scan did not
                    // read (a key, vault or replica in another region) was never looked
                    // for either: not found there says nothing.
                    let region = arn.split(':').nth(3).unwrap_or("");
                    if !region.is_empty()
                        && i.regions_read
                            .get(account)
                            .is_some_and(|read| !read.iter().any(|r| r == region))
                    {
                        touched
                            .gaps
                            .insert(format!("{REGION_NOT_READ}{account}:{region}"));
                    }
                    null()
                }
            }
        }),
    );
}

/// `of_type(type)` (the account's resources of the type) and `all_of_type(type)` (every
/// account's).
fn register_of_type(ctx: &mut Context<'_, '_>, index: &Arc<Index>, touched: &Arc<Mutex<Touched>>) {
    for (name, whole_snapshot) in [("of_type", false), ("all_of_type", true)] {
        let (i, t) = (index.clone(), touched.clone());
        let _ = ctx.add_function(
            name,
            handler(move |ftx| {
                let [type_name] = args(ftx)?;
                let type_name = type_arg(name, &type_name)?;
                let mut touched = t
                    .lock()
                    .map_err(|_| ExecutionError::function_error(name, "state poisoned"))?;
                let account = (!whole_snapshot).then(|| touched.account.clone());
                let gaps = i.gaps_for(&type_name, account.as_deref());
                touched.gaps.extend(gaps.iter().cloned());
                if i.plan {
                    touched.partial.insert(type_name.to_string());
                }
                let positions = i.of_type_in(&type_name, account.as_deref());
                // Unread attributes of any returned resource may be what the rule reads.
                for &pos in positions {
                    touched.gaps.extend(i.unread[pos].iter().cloned());
                    touched.unknown.extend(i.unknown[pos].iter().cloned());
                    touched.joined.insert(pos);
                }
                Ok(CowVal::Owned(i.list(positions)))
            }),
        );
    }
}

/// `all_of_type_in(type, region)`: every account's resources of the type in one region,
/// with only the listing gaps that could hide one there (that region's, or a global
/// listing's). A join on copies kept in one region (a disaster-recovery region) is then
/// not made unknown by a listing that failed in another.
fn register_all_of_type_in(
    ctx: &mut Context<'_, '_>,
    index: &Arc<Index>,
    touched: &Arc<Mutex<Touched>>,
) {
    let (i, t) = (index.clone(), touched.clone());
    let name = "all_of_type_in";
    let _ = ctx.add_function(
        name,
        handler(move |ftx| {
            let [type_name, region] = args(ftx)?;
            let type_name = type_arg(name, &type_name)?;
            let Some(region) = string_arg(name, &region)? else {
                return Err(ExecutionError::function_error(name, "region is null"));
            };
            let mut touched = t
                .lock()
                .map_err(|_| ExecutionError::function_error(name, "state poisoned"))?;
            let gaps: Vec<String> = i
                .gaps_by_account
                .values()
                .flatten()
                .filter(|(_, t, r)| {
                    t.as_str() == type_name.as_str()
                        && (r.as_str() == region.as_str() || r == "global")
                })
                .map(|(id, ..)| id.clone())
                .collect();
            touched.gaps.extend(gaps);
            if i.plan {
                touched.partial.insert(type_name.to_string());
            }
            let positions: Vec<usize> = i
                .of_type(&type_name)
                .iter()
                .copied()
                .filter(|&pos| i.field_str(pos, "region") == Some(region.as_str()))
                .collect();
            for &pos in &positions {
                touched.gaps.extend(i.unread[pos].iter().cloned());
                touched.unknown.extend(i.unknown[pos].iter().cloned());
                touched.joined.insert(pos);
            }
            Ok(CowVal::Owned(i.list(&positions)))
        }),
    );
}

/// `of_type_where(type, field, value)`.
fn register_of_type_where(
    ctx: &mut Context<'_, '_>,
    index: &Arc<Index>,
    touched: &Arc<Mutex<Touched>>,
) {
    // `of_type(type).filter(x, x.field == value)` through an index: the same resources in
    // the same order, the same gaps and plan caveats (those of every resource of the type
    // in the account, as `of_type` records), without a scan per call.
    let (i, t) = (index.clone(), touched.clone());
    let name = "of_type_where";
    let _ = ctx.add_function(
        name,
        handler(move |ftx| {
            let [type_name, field, value] = args(ftx)?;
            let type_name = type_arg(name, &type_name)?;
            let Some(field) = string_arg(name, &field)? else {
                return Err(ExecutionError::function_error(name, "field name is null"));
            };
            let value = string_arg(name, &value)?;
            let mut touched = t
                .lock()
                .map_err(|_| ExecutionError::function_error(name, "state poisoned"))?;
            let account = touched.account.clone();
            touched
                .gaps
                .extend(i.gaps_for(&type_name, Some(&account)).iter().cloned());
            if i.plan {
                touched.partial.insert(type_name.to_string());
            }
            if let Some((gaps, reasons)) = i
                .caveats_by_type_account
                .get(&(type_name.to_string(), account.clone()))
            {
                touched.gaps.extend(gaps.iter().cloned());
                touched.unknown.extend(reasons.iter().cloned());
            }
            // Looking up null would differ from `x.field == null` (which matches resources
            // whose field is null): refuse it rather than answer differently.
            let Some(value) = value else {
                return Err(ExecutionError::function_error(name, "value is null"));
            };
            let positions = i.of_type_where(&type_name, &account, &field, &value);
            touched.joined.extend(positions.iter().copied());
            Ok(CowVal::Owned(i.list(&positions)))
        }),
    );
}

/// `of_type_covering(type, flag)`.
fn register_of_type_covering(
    ctx: &mut Context<'_, '_>,
    index: &Arc<Index>,
    touched: &Arc<Mutex<Touched>>,
) {
    // `of_type(type)` of the account plus every resource of the type in any account whose
    // boolean `flag` is true (an organisation trail covers every member account): the same
    // resources, in the same order, as `all_of_type(type).filter(x, x.account ==
    // resource.account || x.flag)`, without handing each account every account's resources.
    // Any listing gap for the type in any account is recorded (a covering resource could be
    // hidden anywhere), and the caveats of what it returns and of any resource whose flag
    // is not a bool (it may cover this account).
    let (i, t) = (index.clone(), touched.clone());
    let name = "of_type_covering";
    let _ = ctx.add_function(
        name,
        handler(move |ftx| {
            let [type_name, flag] = args(ftx)?;
            let type_name = type_arg(name, &type_name)?;
            let Some(flag) = string_arg(name, &flag)? else {
                return Err(ExecutionError::function_error(name, "field name is null"));
            };
            let mut touched = t
                .lock()
                .map_err(|_| ExecutionError::function_error(name, "state poisoned"))?;
            touched
                .gaps
                .extend(i.gaps_for(&type_name, None).iter().cloned());
            if i.plan {
                touched.partial.insert(type_name.to_string());
            }
            let account = touched.account.clone();
            let (returned, caveats) = i.of_type_covering(&type_name, &account, &flag);
            for &pos in &caveats {
                touched.gaps.extend(i.unread[pos].iter().cloned());
                touched.unknown.extend(i.unknown[pos].iter().cloned());
            }
            touched.joined.extend(returned.iter().copied());
            Ok(CowVal::Owned(i.list(&returned)))
        }),
    );
}

/// `of_type_in_accounts(type, accounts)` and `of_type_in_accounts_in(type, accounts,
/// region)`.
fn register_of_type_in_accounts(
    ctx: &mut Context<'_, '_>,
    index: &Arc<Index>,
    touched: &Arc<Mutex<Touched>>,
) {
    // The resources of `type` in the named accounts (in `region`): the same resources, in
    // the same order, as `all_of_type(type).filter(x, x.account in accounts)`, through the
    // index by (type, account), so a rule about copies in the backup accounts does not
    // filter every account's resources for every resource it judges (quadratic in the
    // snapshot). The listing gaps of `type` in those accounts (in that region, or global)
    // are recorded, and the caveats of what it returns; another account's gap cannot hide
    // a resource in these. A named account the snapshot did not cover is a gap, and so is
    // the region when a covered account did not read it: nothing was looked for there.
    for (name, in_region) in [
        ("of_type_in_accounts", false),
        ("of_type_in_accounts_in", true),
    ] {
        let (i, t) = (index.clone(), touched.clone());
        let _ = ctx.add_function(
            name,
            handler(move |ftx| {
                let (type_name, accounts, region) = if in_region {
                    let [type_name, accounts, region] = args(ftx)?;
                    let Some(region) = string_arg(name, &region)? else {
                        return Err(ExecutionError::function_error(name, "region is null"));
                    };
                    (type_name, accounts, Some(region))
                } else {
                    let [type_name, accounts] = args(ftx)?;
                    (type_name, accounts, None)
                };
                let type_name = type_arg(name, &type_name)?;
                let accounts = account_list(name, &accounts)?;
                let mut touched = t
                    .lock()
                    .map_err(|_| ExecutionError::function_error(name, "state poisoned"))?;
                let positions = i.of_type_in_accounts(
                    &mut touched,
                    &type_name,
                    &accounts,
                    region.as_deref().map(String::as_str),
                );
                Ok(CowVal::Owned(i.list(&positions)))
            }),
        );
    }
}

/// The account ids of a join's `accounts` argument.
fn account_list(function: &str, accounts: &Value) -> Result<Vec<Arc<String>>, ExecutionError> {
    match accounts {
        Value::List(items) => items
            .iter()
            .map(|a| {
                string_arg(function, a)?.ok_or_else(|| {
                    ExecutionError::function_error(function, "an account id is null")
                })
            })
            .collect(),
        other => Err(ExecutionError::function_error(
            function,
            format!("expected a list of account ids, got {}", other.type_of()),
        )),
    }
}

impl Index {
    /// Positions of `type_name`'s resources in `accounts` (in `region` when given), in
    /// snapshot order, with what could hide one recorded in `touched`: the type's listing
    /// gaps there, an account the snapshot did not cover, a region a covered account did
    /// not read, and the caveats of each resource returned.
    fn of_type_in_accounts(
        &self,
        touched: &mut Touched,
        type_name: &str,
        accounts: &[Arc<String>],
        region: Option<&str>,
    ) -> Vec<usize> {
        if self.plan {
            // A plan holds no account's resources but its own.
            touched.partial.insert(type_name.to_string());
        }
        let mut positions = Vec::new();
        for account in accounts {
            let account = account.as_str();
            let gaps = self.gaps_for(type_name, Some(account));
            match region {
                None => touched.gaps.extend(gaps.iter().cloned()),
                Some(region) => {
                    let here = self.gaps_by_account.get(account).into_iter().flatten();
                    touched.gaps.extend(
                        here.filter(|(id, t, r)| {
                            t == type_name && (r == region || r == "global") && gaps.contains(id)
                        })
                        .map(|(id, ..)| id.clone()),
                    );
                }
            }
            if !self.plan && !self.accounts.is_empty() && !self.accounts.contains(account) {
                touched.gaps.insert(format!("{OUT_OF_SCOPE}{account}"));
            }
            if let Some(region) = region
                && self
                    .regions_read
                    .get(account)
                    .is_some_and(|read| !read.iter().any(|r| r == region))
            {
                touched
                    .gaps
                    .insert(format!("{REGION_NOT_READ}{account}:{region}"));
            }
            let of_account = self.of_type_in(type_name, Some(account)).iter().copied();
            positions
                .extend(of_account.filter(|&pos| {
                    region.is_none_or(|r| self.field_str(pos, "region") == Some(r))
                }));
        }
        positions.sort_unstable();
        positions.dedup();
        for &pos in &positions {
            touched.gaps.extend(self.unread[pos].iter().cloned());
            touched.unknown.extend(self.unknown[pos].iter().cloned());
            touched.joined.insert(pos);
        }
        positions
    }
}

/// The functions that age what they read at collection time, not at evaluation time:
/// `backup_classes(backups, spec)`, `age_days(timestamp)`, `age_hours(timestamp)` and
/// `age_minutes(timestamp)`.
fn register_aged(ctx: &mut Context<'_, '_>, index: &Arc<Index>) {
    // Backups per class (`evaluate::backups`), aged at collection time like `age_days`.
    let collected_at = index.collected_at;
    let _ = ctx.add_function(
        "backup_classes",
        move |items: Value, spec: Value| -> Result<Value, ExecutionError> {
            let items = match super::values::to_json(&items) {
                serde_json::Value::Array(items) => items,
                serde_json::Value::Null => Vec::new(),
                other => {
                    return Err(ExecutionError::function_error(
                        "backup_classes",
                        format!("expected a list of backups, got {other}"),
                    ));
                }
            };
            let spec = super::backups::Spec::from_json(&super::values::to_json(&spec))
                .map_err(|e| ExecutionError::function_error("backup_classes", e))?;
            Ok(super::values::to_cel(&super::backups::classes(
                &items,
                &spec,
                collected_at,
            )))
        },
    );

    // Ages are measured at collection time, not at evaluation time, so re-evaluating an
    // old snapshot gives the same verdicts.
    for (name, per) in [
        ("age_days", 86_400),
        ("age_hours", 3_600),
        ("age_minutes", 60i64),
    ] {
        let i = index.clone();
        let _ = ctx.add_function(name, move |ts: Value| -> Result<Value, ExecutionError> {
            let Some(ts) = string_arg(name, &ts)? else {
                return Err(ExecutionError::function_error(name, "timestamp is null"));
            };
            let then = DateTime::parse_from_rfc3339(&ts).map_err(|e| {
                ExecutionError::function_error(name, format!("`{ts}` is not an RFC 3339 time: {e}"))
            })?;
            Ok(Value::Int(
                (i.collected_at - then.with_timezone(&Utc))
                    .num_seconds()
                    .div_euclid(per),
            ))
        });
    }
}

/// The functions of one value, which read nothing else: CIDRs, ports, IAM policy
/// statements and ARNs.
fn register_value_functions(ctx: &mut Context<'_, '_>) {
    let _ = ctx.add_function(
        "is_public_cidr",
        |cidr: Value| -> Result<Value, ExecutionError> {
            let Some(cidr) = string_arg("is_public_cidr", &cidr)? else {
                return Ok(Value::Bool(false));
            };
            super::cidr::is_public_cidr(&cidr)
                .map(Value::Bool)
                .map_err(|e| ExecutionError::function_error("is_public_cidr", e))
        },
    );

    let _ = ctx.add_function(
        "port_in_range",
        |rule: Value, port: Value| -> Result<Value, ExecutionError> {
            let (Value::Map(rule), Value::Int(port)) = (&rule, &port) else {
                return Err(ExecutionError::function_error(
                    "port_in_range",
                    "expects (security group rule, int)",
                ));
            };
            let field = |name: &str| match rule.get(&cel::objects::KeyRef::String(name)) {
                Some(Value::Int(v)) => Ok(*v),
                _ => Err(ExecutionError::function_error(
                    "port_in_range",
                    format!("rule has no integer `{name}`"),
                )),
            };
            Ok(Value::Bool(
                field("from_port")? <= *port && *port <= field("to_port")?,
            ))
        },
    );

    let _ = ctx.add_function(
        "requires_mfa",
        |statement: Value| -> Result<Value, ExecutionError> {
            Ok(Value::Bool(statement_requires_mfa(
                &super::values::to_json(&statement),
            )))
        },
    );

    let _ = ctx.add_function(
        "allow_statements",
        |policy: Value| -> Result<Value, ExecutionError> {
            let json = super::values::to_json(&policy);
            let statements = match json.get("Statement") {
                Some(serde_json::Value::Array(s)) => s.clone(),
                Some(single @ serde_json::Value::Object(_)) => vec![single.clone()],
                _ => Vec::new(),
            };
            let allows: Vec<Value> = statements
                .iter()
                .filter(|s| s.get("Effect").and_then(|e| e.as_str()) == Some("Allow"))
                .map(super::values::to_cel)
                .collect();
            Ok(Value::List(Arc::new(allows)))
        },
    );

    // `ids_in(text, prefix)`: the AWS resource ids of that prefix a text names
    // (`snap-0123abcd…`), in order, for joins on ids written into free text such as a
    // snapshot copy's description.
    let _ = ctx.add_function(
        "ids_in",
        |text: Value, prefix: Value| -> Result<Value, ExecutionError> {
            let (Some(text), Some(prefix)) =
                (string_arg("ids_in", &text)?, string_arg("ids_in", &prefix)?)
            else {
                return Ok(Value::List(Arc::new(Vec::new())));
            };
            let ids = ids_in(&text, &prefix)
                .into_iter()
                .map(|id| Value::String(Arc::new(id)))
                .collect();
            Ok(Value::List(Arc::new(ids)))
        },
    );

    for (name, field) in [("account_of", 4usize), ("region_of", 3usize)] {
        let _ = ctx.add_function(name, move |arn: Value| -> Result<Value, ExecutionError> {
            let Some(arn) = string_arg(name, &arn)? else {
                return Ok(Value::Null);
            };
            let parts: Vec<&str> = arn.splitn(6, ':').collect();
            match parts.get(field) {
                Some(part) if parts.len() >= 6 => Ok(Value::String(Arc::new((*part).to_string()))),
                _ => Err(ExecutionError::function_error(
                    name,
                    format!("`{arn}` is not an ARN"),
                )),
            }
        });
    }
}

/// The ids `prefix-` followed by hexadecimal digits in `text`, each a whole word.
fn ids_in(text: &str, prefix: &str) -> Vec<String> {
    let head = format!("{prefix}-");
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|word| {
            word.strip_prefix(&head)
                .is_some_and(|hex| !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .map(str::to_string)
        .collect()
}

/// Whether an IAM policy statement only allows with MFA: a `Bool` condition
/// `aws:MultiFactorAuthPresent = true`, or a `NumericLessThan(Equals)` on
/// `aws:MultiFactorAuthAge`. `BoolIfExists` does not count: in an Allow it also matches
/// requests signed with long-term access keys, which carry no MFA key at all. Key names
/// are case-insensitive, values may be a string or a list (AWS accepts both).
pub fn statement_requires_mfa(statement: &serde_json::Value) -> bool {
    let Some(conditions) = statement.get("Condition").and_then(|c| c.as_object()) else {
        return false;
    };
    conditions.iter().any(|(operator, block)| {
        let Some(block) = block.as_object() else {
            return false;
        };
        block.iter().any(|(key, value)| {
            let key = key.to_ascii_lowercase();
            let values: Vec<String> = match value {
                serde_json::Value::Array(a) => a
                    .iter()
                    .map(|v| v.as_str().map_or(v.to_string(), str::to_string))
                    .collect(),
                other => vec![other.as_str().map_or(other.to_string(), str::to_string)],
            };
            match operator.as_str() {
                "Bool" => {
                    key == "aws:multifactorauthpresent"
                        && !values.is_empty()
                        && values.iter().all(|v| v.eq_ignore_ascii_case("true"))
                }
                "NumericLessThan" | "NumericLessThanEquals" => key == "aws:multifactorauthage",
                _ => false,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::expr::{ENV, FUNCTIONS, compile};
    use serde_json::json;

    /// Calls `name` with `n` null arguments in a context with assay's functions registered.
    fn call_registered(name: &str, n: usize) -> Result<cel::Value, cel::ExecutionError> {
        let snapshot = crate::snapshot::Snapshot::parse(
            include_str!("../../samples/aws-sample/snapshot.json"),
            "sample",
        )
        .expect("the sample parses");
        let mut ctx = cel::Context::with_env(ENV.clone());
        register(
            &mut ctx,
            Arc::new(Index::new(&snapshot)),
            Arc::new(std::sync::Mutex::new(Touched::default())),
        );
        let args = vec!["null"; n].join(", ");
        let program = compile(&format!("{name}({args})")).expect("a call compiles");
        program.program.execute(&ctx)
    }

    /// The names `register` (through the `register_*` functions it calls) gives to
    /// `add_function`, read from this file's source: a literal name, or `name` bound by
    /// `let name = "…"` or by a `for (name, …) in [...]` loop over tuples whose first items
    /// are the names.
    fn registered_names() -> BTreeSet<String> {
        let source = include_str!("functions.rs");
        // `register` and the `register_*` functions it calls: everything before the tests.
        let body = &source[..source.find("#[cfg(test)]").expect("functions.rs has tests")];
        let mut names = BTreeSet::new();
        for (at, _) in body.match_indices("add_function(") {
            let rest = body[at + "add_function(".len()..].trim_start();
            if let Some(literal) = rest.strip_prefix('"') {
                names.insert(literal[..literal.find('"').expect("literal ends")].to_string());
            } else {
                assert!(
                    rest.starts_with("name,"),
                    "unreadable registration: {rest:.40}"
                );
                // The nearest binding before the call: `let name = "…";` or a loop.
                let let_at = body[..at].rfind("let name = \"");
                let loop_at = body[..at].rfind("for (name,");
                if let_at > loop_at {
                    let line = &body[let_at.expect("a binding") + "let name = \"".len()..];
                    names.insert(line[..line.find('"').expect("literal ends")].to_string());
                } else {
                    // The loop's head, up to its body (rustfmt may spread it on lines).
                    let head = &body[loop_at.expect("a loop binds name")..];
                    let head = &head[..head.find("] {").unwrap_or(head.len())];
                    for item in head.split("(\"").skip(1) {
                        names.insert(item[..item.find('"').expect("literal ends")].to_string());
                    }
                }
            }
        }
        names
    }

    #[test]
    fn ids_in_finds_whole_ids_of_the_prefix() {
        assert_eq!(
            ids_in("[Copied snap-0a1b2c from ap-southeast-2]", "snap"),
            vec!["snap-0a1b2c".to_string()]
        );
        assert_eq!(
            ids_in(
                "Copy of snap-0a1b, snap-ffee. snapshot-12 vol-0a1b snap-",
                "snap"
            ),
            vec!["snap-0a1b".to_string(), "snap-ffee".to_string()]
        );
        assert!(ids_in("snap-xyz", "snap").is_empty());
    }

    /// The checker's list and the registration are written apart (cel-rust has no way to
    /// declare a function once for both); this ties them: the same names, the same arity.
    #[test]
    fn the_checked_functions_are_the_registered_functions() {
        let listed: BTreeSet<String> = FUNCTIONS.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(
            listed,
            registered_names(),
            "rules/expr.rs FUNCTIONS vs register()"
        );
        for &(name, arity) in FUNCTIONS {
            match call_registered(name, arity) {
                Err(cel::ExecutionError::UndeclaredReference(r)) => {
                    panic!("{name} is listed but not registered ({r})")
                }
                Err(cel::ExecutionError::InvalidArgumentCount { expected, actual }) => {
                    panic!("{name}: listed with {actual} arguments, registered with {expected}")
                }
                _ => {}
            }
            assert!(
                matches!(
                    call_registered(name, arity - 1),
                    Err(cel::ExecutionError::InvalidArgumentCount { expected, .. }) if expected == arity
                ),
                "{name} takes more arguments than the {arity} listed"
            );
        }
    }

    #[test]
    fn bool_if_exists_is_not_mfa() {
        assert!(!statement_requires_mfa(
            &json!({"Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}})
        ));
    }

    #[test]
    fn mfa_conditions_in_their_written_forms() {
        assert!(statement_requires_mfa(
            &json!({"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
        ));
        assert!(statement_requires_mfa(
            &json!({"Condition": {"Bool": {"aws:multifactorauthpresent": ["true"]}}})
        ));
        assert!(statement_requires_mfa(
            &json!({"Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}})
        ));
        assert!(!statement_requires_mfa(
            &json!({"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}})
        ));
        assert!(!statement_requires_mfa(
            &json!({"Condition": {"StringEquals": {"sts:ExternalId": "x"}}})
        ));
        assert!(!statement_requires_mfa(&json!({"Effect": "Allow"})));
    }
}
