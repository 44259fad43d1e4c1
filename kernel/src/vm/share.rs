//! Sharing of read-only executable pages: a frame that holds page `offset` of an executable
//! file (identified by its inode, not its name) is found here by every process that runs
//! that file, so each such page occupies one frame however many processes map it.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;

use super::frame::FrameId;
use crate::fs::OpenInode;
use crate::sync::{SpinGuard, SpinLock};

/// Identifies the content of a read-only executable page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ShareKey {
    inode: u32,
    offset: u32,
    read_bytes: u32,
}

impl ShareKey {
    pub fn new(inode: &Arc<OpenInode>, offset: u32, read_bytes: u32) -> ShareKey {
        ShareKey { inode: inode.sector(), offset, read_bytes }
    }
}

static FRAMES: SpinLock<BTreeMap<ShareKey, FrameId>> = SpinLock::new("share table", BTreeMap::new());

/// The frame holding (or being filled with) this content, if any.
pub fn lookup(key: ShareKey) -> Option<FrameId> {
    FRAMES.lock().get(&key).copied()
}

/// Records that `id` is being filled with this content; false if another frame already is
/// (two processes raced to load the same page: the loser uses the winner's frame).
pub fn register(key: ShareKey, id: FrameId) -> bool {
    let mut frames = FRAMES.lock();
    if frames.contains_key(&key) {
        return false;
    }
    frames.insert(key, id);
    true
}

/// The table itself, for a caller that must hold it across other locks.
pub fn table() -> SpinGuard<'static, BTreeMap<ShareKey, FrameId>> {
    FRAMES.lock()
}

/// Forgets `key` if it still names frame `id` (its content is being evicted or freed).
pub fn forget(key: ShareKey, id: FrameId) {
    forget_locked(&mut FRAMES.lock(), key, id);
}

/// [`forget`] with the table already locked.
pub fn forget_locked(frames: &mut BTreeMap<ShareKey, FrameId>, key: ShareKey, id: FrameId) {
    if frames.get(&key) == Some(&id) {
        frames.remove(&key);
        if frames.is_empty() {
            // An empty map still holds a node: give it back (leak checks count heap bytes).
            *frames = BTreeMap::new();
        }
    }
}

/// Frames holding pages of the file whose inode is at `sector`.
pub fn frames_of(sector: u32) -> usize {
    FRAMES.lock().keys().filter(|key| key.inode == sector).count()
}

/// Frames currently shared through the table.
pub fn shared_frames() -> usize {
    FRAMES.lock().len()
}
