//! Load control (the policy is `vmcore::token`): when memory is full, one process at a time
//! may write pages out to make room; the others take only frames that cost no write and
//! otherwise wait for their turn. Off with `-lc=off`, and under `-vm=serial`, the baseline.

use alloc::sync::Arc;
use core::pin::pin;
use core::sync::atomic::{AtomicBool, Ordering};

use futures_util::future::select;
use rintos_vmcore::token::{Role, Token};

use crate::sync::SpinLock;
use crate::task::{Event, timer};

static ENABLED: AtomicBool = AtomicBool::new(false);
/// Whether anybody holds the token, kept beside it for the faults that find memory free: they
/// need not take its lock (one lock for every fault of every CPU). Read stale, it lets one
/// fault take a free frame as the token is taken, which the holder's next fault makes up for.
static HELD: AtomicBool = AtomicBool::new(false);

/// The token, and the event its holder's turn fires when it ends (made by the first process
/// that waits for it).
struct Turn {
    token: Token,
    ended: Option<Arc<Event>>,
}

static TURN: SpinLock<Turn> = SpinLock::new("load-control token", Turn { token: Token::new(), ended: None });

pub fn enable(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// The role of process `who` (named by `AddressSpace::token_name`), which needs a frame
/// (always `Free` when load control is off).
pub fn role(who: usize) -> Role {
    if !HELD.load(Ordering::Relaxed) {
        return Role::Free;
    }
    decide(|token, now| token.role(who, now))
}

/// Process `who` found no free frame: its role, the token's if nobody holds it.
pub fn take(who: usize) -> Role {
    decide(|token, now| token.take(who, now))
}

fn decide(ask: impl FnOnce(&mut Token, u64) -> Role) -> Role {
    if !ENABLED.load(Ordering::Relaxed) {
        return Role::Free;
    }
    let mut role = Role::Free;
    change(|token, now| {
        role = ask(token, now);
    });
    role
}

/// Changes the token with `change`; if a turn ended, wakes whoever waited for that.
fn change(change: impl FnOnce(&mut Token, u64)) {
    let mut turn = TURN.lock();
    let before = turn.token.changes();
    change(&mut turn.token, timer::now());
    HELD.store(turn.token.turn_ends().is_some(), Ordering::Relaxed);
    let ended = (turn.token.changes() != before).then(|| turn.ended.take()).flatten();
    drop(turn);
    if let Some(event) = ended {
        event.fire();
    }
}

/// Waits until the current turn ends (its holder gives the token up, or its time is over);
/// `who` is next, unless another process waited first. Returns whether there was a turn to
/// wait for.
pub async fn wait_for_turn(who: usize) -> bool {
    // Made, and if unused dropped, outside the lock.
    let mut fresh = Some(Event::new());
    let (event, ends) = {
        let mut turn = TURN.lock();
        let Some(ends) = turn.token.turn_ends() else { return false };
        turn.token.wait(who);
        let event = turn.ended.get_or_insert_with(|| fresh.take().expect("taken once")).clone();
        (event, ends)
    };
    select(pin!(event.wait()), pin!(timer::sleep_until(ends))).await;
    true
}

/// Process `who` stops competing for memory for now (it exits, or waits for another): if it
/// held the token, the token passes on, and the processes waiting for it look again.
pub fn step_aside(who: usize) {
    if HELD.load(Ordering::Relaxed) {
        change(|token, now| token.release(who, now));
    }
}
