//! The input queue between the keyboard and serial interrupt handlers (producers) and
//! `read(0, ...)` (the consumer). A bounded lock-free queue, so the handlers never allocate
//! or block; one reader waits at a time through an `AtomicWaker`.

use core::future::poll_fn;
use core::task::Poll;

use conquer_once::spin::OnceCell;
use crossbeam_queue::ArrayQueue;
use futures_util::task::AtomicWaker;

use crate::arch::locked_u64::LockedU64;
use crate::threads::Mutex;

const CAPACITY: usize = 256;

static QUEUE: OnceCell<ArrayQueue<u8>> = OnceCell::uninit();
static READER: AtomicWaker = AtomicWaker::new();
/// Serializes readers so that bytes of one `read` are contiguous.
static READ_LOCK: Mutex<()> = Mutex::new("input readers", ());
/// Keys (and serial bytes) received: the `Keyboard:` statistics line.
pub static KEYS_PRESSED: LockedU64 = LockedU64::new(0);

pub fn init() {
    QUEUE.init_once(|| ArrayQueue::new(CAPACITY));
}

/// Called by interrupt handlers with one byte of input. When the queue is full the byte is
/// dropped, as a real keyboard buffer would.
pub fn push(byte: u8) {
    KEYS_PRESSED.fetch_add(1);
    if let Some(queue) = QUEUE.get() {
        let _ = queue.push(byte);
        READER.wake();
    }
}

/// Waits for one byte of input.
pub async fn next_byte() -> u8 {
    let queue = QUEUE.get().expect("input::init not called");
    poll_fn(|cx| {
        if let Some(byte) = queue.pop() {
            return Poll::Ready(byte);
        }
        // Register first, then look again: a byte pushed in between is not missed.
        READER.register(cx.waker());
        match queue.pop() {
            Some(byte) => Poll::Ready(byte),
            None => Poll::Pending,
        }
    })
    .await
}

/// Fills `buffer` with input, waiting for every byte (the classic `read(0)` semantics).
pub fn read(buffer: &mut [u8]) {
    let _reader = READ_LOCK.lock();
    for byte in buffer {
        *byte = crate::task::block_on(next_byte());
    }
}
