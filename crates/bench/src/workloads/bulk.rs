//! Bulk work: the export of every user and an import through the CLI.

use super::{Landmarks, Run};
use crate::dataset::roster_command;
use crate::load;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

impl Run<'_> {
    pub(super) async fn export(&mut self) -> anyhow::Result<()> {
        let expected = store::users::count_live(&self.db).await?;
        let mark = self.mark();
        let client = self.client.clone();
        let lines = Arc::new(std::sync::Mutex::new(0_usize));
        let seen = lines.clone();
        let sample = load::sequential(1, Duration::from_mins(10), |_| {
            let (client, seen) = (client.clone(), seen.clone());
            async move {
                let body = client.fetch("/api/v1/users/export").await?;
                *seen.lock().expect("not poisoned") = body.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
                Ok(())
            }
        })
        .await;
        let rows = lines.lock().expect("not poisoned").saturating_sub(1);
        let check = if rows as i64 == expected {
            Ok(format!("{rows} rows"))
        } else {
            Err(format!("{rows} rows exported, {expected} users"))
        };
        self.record(&format!("export all {expected} users"), &mark, &sample, None, check);
        Ok(())
    }

    pub(super) async fn import(&mut self, m: &Landmarks) -> anyhow::Result<()> {
        let file = self.copy.data_dir.join("import.csv");
        let mut csv = String::from("email,first_name,last_name,workspace,groups\n");
        for i in 0..self.plan.import_rows {
            let _ = writeln!(csv, "bench.import.{i}@import.example,Imported,Person {i},{},", m.workspace_name);
        }
        std::fs::write(&file, csv)?;
        let mark = self.mark();
        let started = Instant::now();
        let output = roster_command(self.env)
            .args(["user", "import", "--no-email", "--database-url", &self.copy.url])
            .arg("--data-dir")
            .arg(&self.copy.data_dir)
            .arg(&file)
            .stderr(std::process::Stdio::null())
            .output()?;
        let elapsed = started.elapsed();
        let imported = store::users::count_with_email_prefix(&self.db, "bench.import.").await?;
        let check = if output.status.success() && imported as usize == self.plan.import_rows {
            Ok(format!("{imported} users invited"))
        } else {
            Err(format!(
                "{imported} of {} imported: {}",
                self.plan.import_rows,
                String::from_utf8_lossy(&output.stdout)
            ))
        };
        let mut sample = load::sequential(1, Duration::ZERO, |_| async { Ok(()) }).await;
        sample.latencies_us.reset();
        let _ = sample.latencies_us.record(elapsed.as_micros() as u64);
        sample.elapsed = elapsed;
        self.record(&format!("import {} rows (CLI)", self.plan.import_rows), &mark, &sample, None, check);
        Ok(())
    }
}
