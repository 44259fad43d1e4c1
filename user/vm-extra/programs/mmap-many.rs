//! Many small mappings: maps sample.txt (one page) 256 times, in a shuffled order of 256
//! page slots, and checks that no two mappings share an id and every mapping shows the
//! file. Unmaps half of them in random order, maps the file again into the freed slots
//! (which works only if `munmap` freed them), and checks all mappings once more. Then changes the file through one mapping and unmaps it:
//! the file holds the change. The process exits with its other 255 mappings in place (the
//! leak check sees that exit frees them).
#![no_std]
#![no_main]

use rintos_user::abi::PAGE_SIZE;
use rintos_user::samples::VM_SAMPLE;
use rintos_user::syscall::{MAP_FAILED, MapId, close, mmap, munmap, open, read, seek};
use rintos_user::{ProcessGlobal, check, fail, msg, random};

rintos_user::test_main!(test_main);

const SLOTS: usize = 256;
const REGION: usize = 0x1000_0000;
const CHANGE: &[u8] = b"Changed through one of many mappings.";

/// The id mapped at each slot, if any.
static MAPS: ProcessGlobal<[Option<MapId>; SLOTS]> = ProcessGlobal::new([None; SLOTS]);

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    let mut maps = MAPS.borrow_mut();
    let mut order: [usize; SLOTS] = core::array::from_fn(|slot| slot);
    let mut ids_given = 0;

    random::shuffle(&mut order);
    for &slot in &order {
        maps[slot] = Some(map_new(fd, slot, &maps, &mut ids_given));
    }
    check_all(&maps);
    msg!("map \"sample.txt\" {} times", SLOTS);

    random::shuffle(&mut order);
    for &slot in &order[..SLOTS / 2] {
        munmap(maps[slot].take().expect("every slot is mapped"));
    }
    for &slot in &order[..SLOTS / 2] {
        maps[slot] = Some(map_new(fd, slot, &maps, &mut ids_given));
    }
    check_all(&maps);
    msg!("unmap half of them in random order and map them again");

    let changed = order[0];
    slot_bytes(changed)[..CHANGE.len()].copy_from_slice(CHANGE);
    munmap(maps[changed].take().expect("every slot is mapped"));
    msg!("change the file through one mapping and unmap it");
    let mut contents = [0u8; VM_SAMPLE.len()];
    seek(fd, 0);
    check!(
        read(fd, &mut contents) == VM_SAMPLE.len() as i32
            && contents[..CHANGE.len()] == *CHANGE
            && contents[CHANGE.len()..] == VM_SAMPLE[CHANGE.len()..],
        "the file holds the change"
    );
    close(fd);
}

/// Maps the file at `slot`; checks that no other mapping has the id.
fn map_new(fd: i32, slot: usize, maps: &[Option<MapId>; SLOTS], ids_given: &mut usize) -> MapId {
    let id = mmap(fd, REGION + slot * PAGE_SIZE);
    if id == MAP_FAILED {
        fail!("mmap number {} (at slot {}) failed", *ids_given + 1, slot);
    }
    if maps.contains(&Some(id)) {
        fail!("mmap gave out id {} twice", id);
    }
    *ids_given += 1;
    id
}

/// The bytes of the file as mapping `slot` shows them.
fn slot_bytes(slot: usize) -> &'static mut [u8] {
    // SAFETY: slot `slot` holds a mapping of sample.txt (a caller's invariant), a page of
    // which only this call's result refers to while it lives.
    unsafe {
        core::slice::from_raw_parts_mut((REGION + slot * PAGE_SIZE) as *mut u8, VM_SAMPLE.len())
    }
}

fn check_all(maps: &[Option<MapId>; SLOTS]) {
    for (slot, map) in maps.iter().enumerate() {
        if map.is_none() || slot_bytes(slot) != VM_SAMPLE {
            fail!("mapping at slot {} does not show the file", slot);
        }
    }
}
