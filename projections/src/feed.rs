//! The log as the projector consumes it: a task of its own reads the next page and decodes its
//! events while the projector folds and writes the previous one, so a rebuild keeps both cores
//! busy instead of alternating between reading and writing.

use hrledger_domain::LedgerEvent;
use hrledger_store::{EventStore, RecordedEvent};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::runner::Until;
use crate::states::decode_text;
use crate::ProjectionError;

/// Pages read ahead of the one being applied: enough to hide a read behind a write, few enough
/// to keep memory bounded.
const PAGES_AHEAD: usize = 2;

/// An event with its decoded domain form. The recorded event's `data` is JSON null: the
/// domain event holds what it said.
pub(crate) type Decoded = (RecordedEvent, LedgerEvent);

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
    let mut read = source.read_all_unparsed(after, page_size as u64).await?;
    let fetched = read.len();
    read.retain(|e| within(&e.recorded, until));
    let cut_short = read.len() < fetched;
    // Decoded from the stored text straight into domain events, on the reader's task: through
    // a JSON tree first, parsing, walking and freeing the tree cost more than the decode.
    let events = read
        .into_iter()
        .map(|e| {
            let event = decode_text(&e.recorded, &e.data)?;
            Ok((e.recorded, event))
        })
        .collect::<Result<_, ProjectionError>>()?;
    Ok(Page {
        events,
        fetched,
        cut_short,
    })
}

fn within(event: &RecordedEvent, until: Until) -> bool {
    match until {
        Until::Head => true,
        Until::Position(p) => event.position <= p,
        Until::Time(t) => event.recorded_at <= t,
    }
}
