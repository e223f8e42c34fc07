use hrledger_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("event store: {0}")]
    Store(#[from] StoreError),
    #[error("read-model database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("event at position {position} cannot be read: {detail}")]
    Unreadable { position: u64, detail: String },
    #[error("the read-model writer stopped before committing its batch (runtime shut down)")]
    WriterStopped,
    #[error("read-model file: {0}")]
    File(#[from] rusqlite::Error),
    #[error("a read of the read-model file stopped before it finished: {0}")]
    ReaderStopped(String),
    #[error("read model is corrupt: {0}")]
    Corrupt(String),
}
