pub fn free_slots() -> usize {
    0
}
