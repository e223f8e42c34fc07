//! The log as the projector consumes it: a task of its own reads the next page and decodes its
//! events while the projector folds and writes the previous one, so a rebuild keeps both cores
//! busy instead of alternating between reading and writing.

use chrono::{DateTime, NaiveDate, Utc};
use hrledger_domain::LedgerEvent;
use hrledger_store::{EventStore, LogEntry};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::runner::Until;
use crate::states::unreadable;
use crate::ProjectionError;

/// Pages read ahead of the one being applied: enough to hide a read behind a write, few enough
/// to keep memory bounded.
const PAGES_AHEAD: usize = 2;

/// An event's place in the log and its dates: what the read models take from its row beside
/// the domain event. Its metadata (actor, reason, command) and hash are not read: the audit
/// trail reads them from the log itself.
#[derive(Debug)]
pub(crate) struct Logged {
    pub position: u64,
    pub stream: String,
    pub version: u64,
    pub effective_date: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

impl From<&LogEntry<'_>> for Logged {
    fn from(entry: &LogEntry<'_>) -> Self {
        Logged {
            position: entry.position,
            stream: entry.stream.to_owned(),
            version: entry.version,
            effective_date: entry.effective_date,
            recorded_at: entry.recorded_at,
        }
    }
}

/// An event with its decoded domain form.
pub(crate) type Decoded = (Logged, LedgerEvent);

/// Decoded pages of the log after a position, up to `until`, in order.
pub(crate) struct Feed {
    pages: mpsc::Receiver<Result<Vec<Decoded>, ProjectionError>>,
    reader: JoinHandle<()>,
}

impl Feed {
    /// Starts reading after `after` in pages of `page_size` events.
    pub fn start(source: EventStore, after: u64, page_size: usize, until: Until) -> Self {
        let (sender, pages) = mpsc::channel(PAGES_AHEAD);
        let reader = tokio::spawn(read_pages(source, after, page_size, until, sender));
        Feed { pages, reader }
    }

    /// The next page; `None` once the head (or `until`) has been reached.
    pub async fn next(&mut self) -> Option<Result<Vec<Decoded>, ProjectionError>> {
        self.pages.recv().await
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        // A projector that stops early (an error) must not leave a reader running.
        self.reader.abort();
    }
}

async fn read_pages(
    source: EventStore,
    mut after: u64,
    page_size: usize,
    until: Until,
    sender: mpsc::Sender<Result<Vec<Decoded>, ProjectionError>>,
) {
    loop {
        let page = match read_page(&source, after, page_size, until).await {
            Ok(page) => page,
            Err(e) => {
                let _ = sender.send(Err(e)).await;
                return;
            }
        };
        let last_page = page.fetched < page_size || page.cut_short;
        if let Some((last, _)) = page.events.last() {
            after = last.position;
            if sender.send(Ok(page.events)).await.is_err() {
                return;
            }
        }
        // A short page means the head was reached; a page cut by `until` means nothing
        // later can qualify either.
        if last_page {
            return;
        }
    }
}

struct Page {
    events: Vec<Decoded>,
    fetched: usize,
    cut_short: bool,
}

async fn read_page(
    source: &EventStore,
    after: u64,
    page_size: usize,
    until: Until,
) -> Result<Page, ProjectionError> {
    // Decoded from the stored text straight into domain events, on the thread that reads the
    // rows, while each row is still borrowed: through a JSON tree first, parsing, walking and
    // freeing the tree cost more than the decode; through owned rows, copying every column
    // the projector does not read (BENCHMARKS.md, session 16).
    let read = source
        .read_log::<_, ProjectionError, _>(after, page_size as u64, move |entry| {
            if !within(&entry, until) {
                return Ok(None);
            }
            let event = decode(&entry)?;
            Ok(Some((Logged::from(&entry), event)))
        })
        .await?;
    let fetched = read.len();
    let events = qualifying(read);
    let cut_short = events.len() < fetched;
    Ok(Page {
        events,
        fetched,
        cut_short,
    })
}

/// The events of a page kept by `within`, in order, in the page's own memory: a second
/// vector grown event by event took fresh memory, and page faults, for every page.
/// `filter_map` collects in place; `flatten`, which clippy suggests instead, does not (a test
/// below holds this).
#[allow(clippy::filter_map_identity)]
fn qualifying<T>(read: Vec<Option<T>>) -> Vec<T> {
    read.into_iter().filter_map(|kept| kept).collect()
}

fn decode(entry: &LogEntry<'_>) -> Result<LedgerEvent, ProjectionError> {
    LedgerEvent::from_stored_text(entry.event_type, entry.schema_version, entry.data)
        .map_err(|e| unreadable(entry.position, e))
}

fn within(event: &LogEntry<'_>, until: Until) -> bool {
    match until {
        Until::Head => true,
        Until::Position(p) => event.position <= p,
        Until::Time(t) => event.recorded_at <= t,
    }
}

#[cfg(test)]
mod tests {
    use super::qualifying;

    #[test]
    fn a_page_keeps_its_qualifying_events_in_order_in_its_own_memory() {
        // An Option of a decoded event is no larger than the event: its tag has a niche.
        let read: Vec<Option<(u64, String)>> = (0..2_000u64)
            .map(|p| (p % 7 != 3).then(|| (p, format!("employee-{p}"))))
            .collect();
        let memory = read.as_ptr() as usize;
        let kept = qualifying(read);
        assert_eq!(
            kept.as_ptr() as usize,
            memory,
            "collected into fresh memory"
        );
        assert_eq!(kept.len(), 2_000 - 286);
        assert!(kept.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(kept
            .iter()
            .all(|(p, text)| p % 7 != 3 && *text == format!("employee-{p}")));
    }
}
