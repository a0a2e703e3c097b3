//! The workloads of one dataset, each measured over HTTP against the running server and,
//! where there is one, beside its SQL floor (the same store call run in-process on the
//! same database). Every workload also checks its answers, so the quick mode that CI runs
//! proves they are right, not only that they ran.

use crate::client::Client;
use crate::dataset::{Backend, Credentials, RunCopy};
use crate::load::{self, Sample};

mod bulk;
mod pages;
mod sessions;
use crate::machine::ProcessProbe;
use crate::report::{Derived, Row};
use anyhow::{Context, anyhow};
use app::users::ListParams;
use domain::ids::{AccountId, GroupId};
use serde_json::Value;
use std::time::Duration;
use store::Db;

/// How long and how hard each kind of workload runs.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Requests per latency workload (sequential), at most `latency_time`.
    pub latency_requests: usize,
    pub latency_time: Duration,
    /// Duration of throughput and head-of-line workloads.
    pub throughput_time: Duration,
    /// Concurrent clients of throughput workloads.
    pub concurrency: usize,
    /// Duration of each sign-in burst.
    pub burst_time: Duration,
    /// Sequential sign-ins (right and wrong).
    pub sign_ins: usize,
    /// Rows of the import workload.
    pub import_rows: usize,
    /// Rows deep for the "keyset page 1,000" workload (25 × 1,000).
    pub deep_rows: usize,
    /// Argon2 cost the server uses (it reads the same `ROSTER_ARGON2_*`).
    pub argon2: (u32, u32),
}

/// Everything one dataset's run needs.
pub struct Run<'a> {
    pub backend: Backend,
    pub users: usize,
    pub plan: &'a Plan,
    pub client: Client,
    pub db: Db,
    pub probe: &'a ProcessProbe,
    pub admin: Credentials,
    pub copy: &'a RunCopy,
    pub env: &'a [(String, String)],
    pub rows: Vec<Row>,
    pub derived: Vec<Derived>,
    account: AccountId,
    admin_id: String,
}

/// Server CPU time when a workload started (its peak RSS mark was reset then).
struct Mark(Duration);

/// The dataset's landmarks the workloads use.
struct Landmarks {
    group: GroupId,
    workspace: String,
    workspace_name: String,
    /// Active users (id, email), for wrong passwords and email lookups.
    active: Vec<(String, String)>,
    /// A user with live sessions.
    with_sessions: String,
}

impl<'a> Run<'a> {
    #[allow(clippy::too_many_arguments)]
    pub async fn new(
        backend: Backend,
        users: usize,
        plan: &'a Plan,
        base: &str,
        db: Db,
        probe: &'a ProcessProbe,
        admin: Credentials,
        copy: &'a RunCopy,
        env: &'a [(String, String)],
    ) -> anyhow::Result<Self> {
        let mut client = Client::new(base);
        client.cookie = client
            .login(&admin.email, &admin.password)
            .await?
            .map_err(|s| anyhow!("the demo admin cannot sign in: {s}"))?;
        let me = client.json("/api/v1/me").await?;
        let account = me["user"]["account_id"].as_str().context("/me has no account_id")?.parse()?;
        let admin_id = me["user"]["id"].as_str().context("/me has no id")?.to_owned();
        Ok(Self {
            backend,
            users,
            plan,
            client,
            db,
            probe,
            admin,
            copy,
            env,
            rows: Vec::new(),
            derived: Vec::new(),
            account: AccountId(account),
            admin_id,
        })
    }

    /// Runs every workload in turn.
    pub async fn all(&mut self) -> anyhow::Result<()> {
        let marks = self.landmarks().await?;
        self.lists(&marks).await?;
        self.searches(&marks).await?;
        self.keyset_deep().await?;
        self.user_pages(&marks).await?;
        self.groups(&marks).await?;
        self.sign_in(&marks).await?;
        self.throughput().await?;
        self.head_of_line().await?;
        self.export().await?;
        self.import(&marks).await?;
        self.kill().await?;
        let (rss, _) = self.probe.memory_mib();
        self.derive("server RSS after the whole run (MiB)", rss, "≤ 150", rss <= 150.0);
        Ok(())
    }

    fn mark(&self) -> Mark {
        self.probe.reset_peak();
        Mark(self.probe.cpu())
    }

    fn record(
        &mut self,
        workload: &str,
        mark: &Mark,
        sample: &Sample,
        floor: Option<&Sample>,
        check: Result<String, String>,
    ) {
        let cpu = self.probe.cpu().saturating_sub(mark.0);
        let (rss_after, peak) = self.probe.memory_mib();
        let requests = sample.requests();
        let floor_p50 = floor.map(|f| f.ms(0.5));
        let (ok, mut check) = match check {
            Ok(c) => (sample.errors == 0, c),
            Err(e) => (false, e),
        };
        if let Some(e) = &sample.first_error {
            check = format!("{} request(s) failed, first: {e}", sample.errors);
        }
        let row = Row {
            backend: self.backend,
            users: self.users,
            workload: workload.to_owned(),
            requests,
            p50_ms: sample.ms(0.5),
            p95_ms: sample.ms(0.95),
            p99_ms: sample.ms(0.99),
            throughput_rps: sample.throughput(),
            cpu_s_per_1k: cpu.as_secs_f64() * 1000.0 / requests.max(1) as f64,
            peak_rss_mib: peak,
            rss_after_mib: rss_after,
            floor_p50_ms: floor_p50,
            ratio: floor_p50.filter(|f| *f > 0.0).map(|f| sample.ms(0.5) / f),
            errors: sample.errors,
            ok,
            check,
        };
        eprintln!(
            "  {:<32} p50 {:>8.2} ms  p99 {:>8.2} ms  {:>8.0} req/s  {}",
            row.workload,
            row.p50_ms,
            row.p99_ms,
            row.throughput_rps,
            if row.ok { "ok" } else { row.check.as_str() }
        );
        self.rows.push(row);
    }

    fn derive(&mut self, what: &str, value: f64, target: &str, met: bool) {
        self.derived.push(Derived {
            backend: self.backend,
            users: self.users,
            what: what.to_owned(),
            value,
            target: target.to_owned(),
            met,
        });
    }

    fn row(&self, workload: &str) -> Option<&Row> {
        self.rows.iter().rev().find(|r| r.workload == workload)
    }

    async fn landmarks(&self) -> anyhow::Result<Landmarks> {
        let groups = self.client.json("/api/v1/groups").await?;
        let biggest = groups["items"]
            .as_array()
            .and_then(|g| g.iter().max_by_key(|g| g["member_count"].as_i64().unwrap_or(0)))
            .context("the dataset has no groups")?;
        let group = GroupId(biggest["id"].as_str().context("group id")?.parse()?);
        let workspace = biggest["workspace"]["id"].as_str().context("workspace id")?.to_owned();
        let workspace_name = biggest["workspace"]["name"].as_str().context("workspace name")?.to_owned();
        let mut active = Vec::new();
        let mut cursor: Option<String> = None;
        let wanted = if self.plan.sign_ins > 10 { 3000 } else { 300 };
        while active.len() < wanted {
            let mut path = "/api/v1/users?status=active&sort=created&limit=100".to_owned();
            if let Some(c) = &cursor {
                path.push_str("&cursor=");
                path.push_str(c);
            }
            let page = self.client.json(&path).await?;
            for u in page["items"].as_array().into_iter().flatten() {
                if u["account_role"] == "Member" {
                    active.push((
                        u["id"].as_str().unwrap_or("").to_owned(),
                        u["email"].as_str().unwrap_or("").to_owned(),
                    ));
                }
            }
            cursor = page["next_cursor"].as_str().map(str::to_owned);
            if cursor.is_none() {
                break;
            }
        }
        let mut with_sessions = None;
        for (id, _) in active.iter().take(60) {
            let s = self.client.json(&format!("/api/v1/users/{id}/sessions")).await?;
            if s["items"].as_array().is_some_and(|a| !a.is_empty()) {
                with_sessions = Some(id.clone());
                break;
            }
        }
        Ok(Landmarks {
            group,
            workspace,
            workspace_name,
            with_sessions: with_sessions.context("no sampled user has a session")?,
            active,
        })
    }

    /// One `GET /api/v1/users?…` workload: the answer must list exactly the rows the store
    /// returns for the same parameters, and pass `extra`.
    async fn list_workload(
        &mut self,
        name: &str,
        pairs: &[(&str, String)],
        extra: impl Fn(&[Value]) -> Result<(), String>,
    ) -> anyhow::Result<()> {
        let url = reqwest::Url::parse_with_params(&format!("{}/api/v1/users", self.client.base), pairs)?;
        let path = format!("{}?{}", url.path(), url.query().unwrap_or(""));
        let map: serde_json::Map<String, Value> =
            pairs.iter().map(|(k, v)| ((*k).to_owned(), Value::String(v.clone()))).collect();
        let params: ListParams = serde_json::from_value(Value::Object(map))?;
        let (filter, page) = app::users::parse_list_params(&params).map_err(|e| anyhow!("{name}: {e}"))?;
        let (db, account) = (self.db.clone(), self.account);
        let store_ids: Vec<String> =
            store::users::list(&db, account, &filter, &page).await?.0.iter().map(|r| r.id.to_string()).collect();
        let first = self.client.json(&path).await?;
        let items = first["items"].as_array().cloned().unwrap_or_default();
        let ids: Vec<String> = items.iter().map(|u| u["id"].as_str().unwrap_or("").to_owned()).collect();
        let check = if ids == store_ids {
            extra(&items).map(|()| format!("{} rows, as the store lists them", ids.len()))
        } else {
            Err(format!("HTTP listed {} rows, the store {}", ids.len(), store_ids.len()))
        };
        let mark = self.mark();
        let client = self.client.clone();
        let sample = load::sequential(self.plan.latency_requests, self.plan.latency_time, |_| {
            let (client, path) = (client.clone(), path.clone());
            async move { client.json(&path).await.map(|_| ()) }
        })
        .await;
        // The endpoint's statements: the page, and the count when the page does not hold
        // every match (`app::users::list_users`).
        let floor = load::floor(self.plan.latency_requests, || {
            let (db, filter, page) = (db.clone(), filter.clone(), page.clone());
            async move {
                let (_, more) = store::users::list(&db, account, &filter, &page).await?;
                if more || page.from.is_some() {
                    store::users::count(&db, account, &filter, app::users::COUNT_CAP).await?;
                }
                Ok(())
            }
        })
        .await;
        self.record(name, &mark, &sample, Some(&floor), check);
        Ok(())
    }

    async fn lists(&mut self, m: &Landmarks) -> anyhow::Result<()> {
        let none = |_: &[Value]| Ok(());
        for sort in ["name", "email", "status", "last_login", "created"] {
            self.list_workload(&format!("list sort={sort}"), &[("sort", sort.into())], none).await?;
        }
        self.list_workload("list sort=name desc", &[("sort", "name".into()), ("order", "desc".into())], none).await?;
        let all_have = |key: &'static str, value: &'static str| {
            move |items: &[Value]| {
                if items.iter().all(|u| u[key] == value) {
                    Ok(())
                } else {
                    Err(format!("a row's {key} is not {value}"))
                }
            }
        };
        self.list_workload("filter status=locked", &[("status", "locked".into())], all_have("status", "locked"))
            .await?;
        self.list_workload(
            "filter status=suspended sort=created",
            &[("status", "suspended".into()), ("sort", "created".into())],
            all_have("status", "suspended"),
        )
        .await?;
        self.list_workload("filter role=member", &[("role", "member".into())], all_have("account_role", "Member"))
            .await?;
        self.list_workload("filter role=master_admin (nobody)", &[("role", "master_admin".into())], |items| {
            if items.is_empty() { Ok(()) } else { Err("the demo has no Master Admin".into()) }
        })
        .await?;
        let admin = self.admin.email.clone();
        self.list_workload(
            "filter role=primary_master_admin (one)",
            &[("role", "primary_master_admin".into())],
            move |items| {
                if items.len() == 1 && items[0]["email"] == admin.as_str() {
                    Ok(())
                } else {
                    Err("not exactly the admin".into())
                }
            },
        )
        .await?;
        self.list_workload("filter workspace", &[("workspace", m.workspace.clone())], none).await?;
        self.list_workload("filter group", &[("group", m.group.0.to_string())], none).await?;
        self.list_workload(
            "filter builder_access=builder_and_create",
            &[("builder_access", "builder_and_create".into())],
            all_have("builder_access", "builder_and_create"),
        )
        .await?;
        self.list_workload(
            "filter status+workspace sort=last_login",
            &[("status", "invited".into()), ("workspace", m.workspace.clone()), ("sort", "last_login".into())],
            all_have("status", "invited"),
        )
        .await?;
        Ok(())
    }

    async fn searches(&mut self, m: &Landmarks) -> anyhow::Result<()> {
        let contains = |term: String| {
            move |items: &[Value]| {
                let bad = items.iter().find(|u| {
                    let text = format!("{} {} {}", u["first_name"], u["last_name"], u["email"]).to_lowercase();
                    !text.contains(&term)
                });
                bad.map_or(Ok(()), |u| Err(format!("{} does not contain {term:?}", u["email"])))
            }
        };
        let (_, email) = m.active.last().context("no active user sampled")?.clone();
        // The local part up to its unique number, with the '@': exactly one user.
        let prefix = format!("{}@", email.split('@').next().unwrap_or(""));
        let wanted = email.clone();
        self.list_workload("search email prefix (1 hit)", &[("q", prefix)], move |items| {
            if items.len() == 1 && items[0]["email"] == wanted.as_str() {
                Ok(())
            } else {
                Err("not exactly that user".into())
            }
        })
        .await?;
        for (name, term) in [
            ("search rare infix 'hiro'", "hiro"),
            ("search common infix 'mar'", "mar"),
            ("search 1 letter 'e'", "e"),
            ("search 2 letters 'zz'", "zz"),
        ] {
            self.list_workload(name, &[("q", term.into())], contains(term.into())).await?;
        }
        self.list_workload("search absent 'qqxj'", &[("q", "qqxj".into())], |items| {
            if items.is_empty() { Ok(()) } else { Err("an absent term matched".into()) }
        })
        .await?;
        let both = contains("son".into());
        self.list_workload(
            "search 'son' + status=locked",
            &[("q", "son".into()), ("status", "locked".into())],
            move |items| {
                both(items)?;
                if items.iter().all(|u| u["status"] == "locked") { Ok(()) } else { Err("a row is not locked".into()) }
            },
        )
        .await
    }

    /// Page 1,000 (rows 25,000–25,024; at most half the dataset deep), reached by following
    /// `next_cursor`, then requested again and again.
    async fn keyset_deep(&mut self) -> anyhow::Result<()> {
        let depth = self.plan.deep_rows.min(self.users / 2);
        let mut cursor = String::new();
        let mut seen = 0;
        while seen < depth {
            let limit = (depth - seen).min(100);
            let mut path = format!("/api/v1/users?sort=last_login&order=desc&limit={limit}");
            if !cursor.is_empty() {
                path = format!("{path}&cursor={cursor}");
            }
            let page = self.client.json(&path).await?;
            seen += page["items"].as_array().map_or(0, Vec::len);
            page["next_cursor"].as_str().context("the list ended early")?.clone_into(&mut cursor);
        }
        self.list_workload(
            &format!("keyset page at row {depth}"),
            &[("sort", "last_login".into()), ("order", "desc".into()), ("cursor", cursor)],
            |items| if items.len() == 25 { Ok(()) } else { Err("not a full page".into()) },
        )
        .await
    }

    /// A latency workload of one `GET` with a floor.
    async fn get_workload<F, Fut>(
        &mut self,
        name: &str,
        path: &str,
        check: Result<String, String>,
        floor: F,
    ) -> anyhow::Result<()>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let mark = self.mark();
        let client = self.client.clone();
        let sample = load::sequential(self.plan.latency_requests, self.plan.latency_time, |_| {
            let (client, path) = (client.clone(), path.to_owned());
            async move { client.fetch(&path).await.map(|_| ()) }
        })
        .await;
        let floor = load::floor(self.plan.latency_requests, floor).await;
        self.record(name, &mark, &sample, Some(&floor), check);
        Ok(())
    }
}
