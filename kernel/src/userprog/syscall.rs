use crate::arch::idt::InterruptFrame;

pub fn handle(_frame: &mut InterruptFrame) {
    super::exit(-1)
}
