//! Each employee's pay-relevant changes in effective-date order, kept in memory across batches
//! so the bitemporal versions can be re-derived without reading them back for every event.
//! Loaded from `staff_changes` on a miss; emptied only between batches (a batch's own changes
//! are not in the database until it commits).

use std::collections::HashMap;

use crate::db::ReadDb;
use crate::evict::keep_newer_half;
use crate::payroll::PayrollChanges;
use crate::writer::BatchWriter;
use crate::{on_pool, ProjectionError};

pub(crate) struct Change {
    pub effective: String,
    pub position: i64,
    pub changes: PayrollChanges,
}

pub(crate) struct StaffHistories {
    entries: HashMap<String, Vec<Change>>,
    capacity: usize,
}

impl StaffHistories {
    pub fn new(capacity: usize) -> Self {
        StaffHistories {
            entries: HashMap::new(),
            capacity,
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Keeps memory bounded; call only between batches.
    pub fn trim(&mut self) {
        if self.entries.len() > self.capacity {
            keep_newer_half(&mut self.entries, |history| {
                history.iter().map(|c| c.position as u64).max().unwrap_or(0)
            });
        }
    }

    /// The employee's history so far. `new_employee`: the event is the first of the employee's
    /// stream, so there can be nothing stored yet (saves a read per new employee on rebuild).
    pub async fn history(
        &mut self,
        writer: &mut BatchWriter,
        employee_id: &str,
        new_employee: bool,
    ) -> Result<&mut Vec<Change>, ProjectionError> {
        if !self.entries.contains_key(employee_id) {
            let loaded = if new_employee {
                Vec::new()
            } else {
                // What earlier batches wrote must have committed before it is read back.
                writer.settle().await?;
                load(writer.sink(), employee_id).await?
            };
            self.entries.insert(employee_id.to_string(), loaded);
        }
        Ok(self.entries.get_mut(employee_id).expect("just inserted"))
    }
}

async fn load(db: &ReadDb, employee_id: &str) -> Result<Vec<Change>, ProjectionError> {
    let rows: Vec<(String, i64, String)> = on_pool!(db, pool => {
        sqlx::query_as(
            "SELECT effective_date, position, changes FROM staff_changes WHERE employee_id = $1 \
             ORDER BY effective_date, position",
        )
        .bind(employee_id)
        .fetch_all(pool)
        .await?
    });
    rows.into_iter()
        .map(|(effective, position, changes)| {
            let changes = PayrollChanges::from_json(&changes)
                .map_err(|e| ProjectionError::Corrupt(format!("staff change {position}: {e}")))?;
            Ok(Change {
                effective,
                position,
                changes,
            })
        })
        .collect()
}

/// Inserts a change keeping effective-date, then position, order.
pub(crate) fn insert_ordered(history: &mut Vec<Change>, change: Change) {
    let at = history.partition_point(|c| {
        (c.effective.as_str(), c.position) <= (change.effective.as_str(), change.position)
    });
    history.insert(at, change);
}
