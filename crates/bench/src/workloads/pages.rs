//! One user, their Sessions tab, the groups list and page, and a group's members.

use super::{Landmarks, Run};
use domain::ids::UserId;

impl Run<'_> {
    pub(super) async fn user_pages(&mut self, m: &Landmarks) -> anyhow::Result<()> {
        let (id, email) = m.active[0].clone();
        let user: UserId = id.parse()?;
        let body = self.client.json(&format!("/api/v1/users/{id}")).await?;
        let check =
            if body["email"] == email.as_str() { Ok("the user's email".into()) } else { Err("wrong user".into()) };
        let (db, account) = (self.db.clone(), self.account);
        self.get_workload("get user", &format!("/api/v1/users/{id}"), check, || {
            let db = db.clone();
            async move { store::users::find(&db, account, user).await.map(|_| ()).map_err(Into::into) }
        })
        .await?;
        let who: UserId = m.with_sessions.parse()?;
        let s = self.client.json(&format!("/api/v1/users/{who}/sessions")).await?;
        let check = if s["items"].as_array().is_some_and(|a| !a.is_empty()) {
            Ok("live sessions listed".into())
        } else {
            Err("no live session listed".into())
        };
        let now = app::clock::now();
        self.get_workload("sessions tab", &format!("/api/v1/users/{who}/sessions"), check, || {
            let db = db.clone();
            async move { store::sessions::for_user(&db, who, now, 50).await.map(|_| ()).map_err(Into::into) }
        })
        .await
    }

    pub(super) async fn groups(&mut self, m: &Landmarks) -> anyhow::Result<()> {
        let (db, account, group) = (self.db.clone(), self.account, m.group);
        let list = self.client.json("/api/v1/groups").await?;
        let check = if list["items"].as_array().is_some_and(|g| !g.is_empty()) {
            Ok("groups listed".into())
        } else {
            Err("no groups".into())
        };
        self.get_workload("groups list (API)", "/api/v1/groups", check.clone(), || {
            let db = db.clone();
            async move { store::groups::list(&db, account).await.map(|_| ()).map_err(Into::into) }
        })
        .await?;
        let page = String::from_utf8(self.client.fetch("/admin/groups").await?)?;
        let check = if page.contains(&m.workspace_name) && page.len() < 1_000_000 {
            Ok(format!("{} bytes of HTML", page.len()))
        } else {
            Err(format!("{} bytes of HTML", page.len()))
        };
        self.get_workload("groups page /admin/groups", "/admin/groups", check, || {
            let db = db.clone();
            async move { store::groups::list(&db, account).await.map(|_| ()).map_err(Into::into) }
        })
        .await?;
        let members = self.client.json(&format!("/api/v1/groups/{}/members", group.0)).await?;
        let n = members["items"].as_array().map_or(0, Vec::len);
        let check = if n > 0 && n <= 100 {
            Ok(format!("{n} members on the page"))
        } else {
            Err(format!("{n} members on one page"))
        };
        let filter = store::users::UserFilter { group: Some(group), ..Default::default() };
        let page = store::users::PageRequest {
            sort: store::users::UserSort::Email,
            descending: false,
            from: None,
            limit: app::users::DEFAULT_LIMIT,
        };
        self.get_workload("group members page", &format!("/api/v1/groups/{}/members", group.0), check, || {
            let (db, filter, page) = (db.clone(), filter.clone(), page.clone());
            async move { store::users::list(&db, account, &filter, &page).await.map(|_| ()).map_err(Into::into) }
        })
        .await
    }
}
