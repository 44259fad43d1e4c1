#![no_std]
#![no_main]

mod arch;

use core::panic::PanicInfo;

#[unsafe(no_mangle)]
extern "C" fn kernel_entry(_magic: u32, _info: u32) -> ! {
    for b in b"Pintos booting\n" {
        unsafe {
            while x86::io::inb(0x3F8 + 5) & 0x20 == 0 {}
            x86::io::outb(0x3F8, *b);
        }
    }
    unsafe { x86::io::outw(0xf4, 0x31) };
    loop {}
}

#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    loop {}
}
