//! The keys a batch looks up before it is planned: its command ids (recorded before?) and the
//! distinct streams it names (at which versions?).

use uuid::Uuid;

use crate::validate::ValidAppend;

/// The keys a batch looks up: its command ids and the distinct streams it names.
pub(crate) struct Keys {
    pub ids: Vec<Uuid>,
    pub streams: Vec<String>,
}

impl Keys {
    pub fn of(appends: &[ValidAppend]) -> Keys {
        let ids = appends.iter().map(|a| a.metadata.command_id).collect();
        let mut streams: Vec<&str> = appends
            .iter()
            .flat_map(|a| a.streams.iter().map(|s| s.stream.as_str()))
            .collect();
        streams.sort_unstable();
        streams.dedup();
        let streams = streams.into_iter().map(str::to_owned).collect();
        Keys { ids, streams }
    }
}
