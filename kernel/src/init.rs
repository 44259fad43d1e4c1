//! The boot sequence and the kernel command line (Pintos' `threads/init.c`).

use alloc::vec::Vec;

use rintos_bootargs::{Action, AtaTransfer};

use crate::arch::acpi::{self, Platform};
use crate::arch::multiboot::{BOOTLOADER_MAGIC, BootInfo};
use crate::arch::paging::{self, TablePages};
use crate::arch::percpu::{self, MAX_CPUS};
use crate::arch::{apic, cpu, gdt, pic, smp};
use crate::console::thousands;
use crate::devices::ata::SECTOR_SIZE;
use crate::devices::block::{self, Found, Role};
use crate::devices::{input, keyboard, serial, shutdown, timer};
use crate::stats::power_off;
use crate::{fs, memory, println, resources, selftest, task, threads, trap, userprog, vm};

/// Entered from `arch::boot` with the Multiboot magic and information pointer: boots, runs
/// the actions of the command line, and powers off if asked to (`-q`).
#[unsafe(no_mangle)]
extern "C" fn kernel_entry(magic: u32, multiboot_info: u32) -> ! {
    // First of all: every lock looks up its CPU's block through the GS segment it sets.
    gdt::init(crate::panic::double_fault_task as *const () as usize);
    crate::console::init();
    assert!(magic == BOOTLOADER_MAGIC, "not started by a Multiboot loader (magic {magic:#x})");
    // SAFETY: the magic says `multiboot_info` is the loader's information structure, and the
    // boot page directory maps low memory at PHYS_BASE.
    let boot = unsafe { BootInfo::from_physical(multiboot_info) };
    let module = boot.first_module();
    if let Some((start, end)) = module {
        crate::panic::set_symbol_table(start, end);
    }
    let ram_bytes = boot
        .memory_regions()
        .filter(|region| region.usable)
        .map(|region| (region.start + region.length) as usize)
        .max()
        .unwrap_or(1024 * 1024);
    let table_pages = TablePages { allocate_zeroed: memory::allocate_kernel_page_zeroed, free: memory::free_kernel_page };
    paging::init(ram_bytes.min(memory::MAX_RAM), table_pages);
    gdt::set_double_fault_directory(paging::kernel_directory());
    let summary = memory::init(&boot);

    let command_line = boot.command_line();
    let (options, actions) = match rintos_bootargs::split(command_line).and_then(|words| rintos_bootargs::parse(&words)) {
        Ok(parsed) => parsed,
        Err(error) => {
            println!("Kernel command line: {command_line}");
            println!("Kernel command line error: {error}");
            shutdown::fail();
        }
    };
    let user_pages = memory::limit_user_pool(options.user_page_limit);
    println!("Kernel command line: {command_line}");
    println!("Pintos booting with {} kB RAM...", thousands((summary.ram_bytes / 1024) as u64));
    println!("{} pages available in kernel pool.", summary.kernel_pages);
    println!("{user_pages} pages available in user pool.");
    if options.help {
        crate::print!("{}", rintos_bootargs::HELP);
        power_off();
    }

    threads::init();
    if let Some(slice) = options.time_slice {
        threads::set_time_slice(slice);
    }
    input::init();
    keyboard::init();
    pic::disable();
    let platform = acpi::discover();
    apic::init(&platform);
    apic::enable_local();
    percpu::set_online(0, apic::local_id());
    trap::init(&platform);
    serial::enable_receive_interrupt();
    timer::init();
    cpu::enable_interrupts();
    let tsc_per_second = timer::calibrate();
    println!("Calibrating timer...  {} TSC cycles/s.", thousands(tsc_per_second));
    timer::start_local_timer();
    start_application_processors(&platform, tsc_per_second);
    println!("CPUs: {} online", percpu::online_count());
    crate::panic::remember_descriptor_tables();
    if let Some(seed) = options.jitter {
        timer::enable_jitter(seed, threads::time_slice());
    }
    task::start_executor();

    let overrides: Vec<(Role, &str)> = [
        (Role::Filesys, options.filesys.as_deref()),
        (Role::Scratch, options.scratch.as_deref()),
        (Role::Swap, options.swap.as_deref()),
    ]
    .into_iter()
    .filter_map(|(role, name)| name.map(|name| (role, name)))
    .collect();
    for found in block::init(&overrides, options.ata_transfer == AtaTransfer::Dma) {
        report(&found);
    }
    fs::init(options.format);
    vm::init(&options);
    println!("Boot complete.");

    for action in &actions {
        run_action(action);
    }
    if options.power_off {
        power_off();
    }
    // Like Pintos without -q: the actions are done but the machine stays up.
    threads::exit();
}

/// Starts every CPU the firmware lists besides this one (as many as Rintos supports), one
/// at a time, each on a stack of its own.
fn start_application_processors(platform: &Platform, tsc_per_second: u64) {
    for (cpu, &apic_id) in platform.cpus.iter().enumerate().skip(1).take(MAX_CPUS - 1) {
        let pages = threads::STACK_BYTES / memory::PAGE_SIZE;
        let Some(bottom) = memory::allocate_kernel_pages(pages) else {
            println!("cpu {cpu}: no memory for its stack; not started");
            return;
        };
        if !smp::start(cpu, apic_id, (bottom, bottom + threads::STACK_BYTES), application_processor, tsc_per_second) {
            println!("cpu {cpu} (APIC {apic_id}) did not come up");
        }
    }
}

/// Where an application processor enters the kernel, on its stack `[bottom, top)`, with
/// interrupts off: it becomes that CPU's idle thread and starts scheduling.
fn application_processor(_cpu: usize, stack: (usize, usize)) -> ! {
    timer::start_local_timer();
    threads::run_cpu(stack)
}

fn run_action(action: &Action) {
    match action {
        Action::Run(command) => resources::measured(|| userprog::run(command)),
        Action::Ls => fs::actions::ls(),
        Action::Cat(name) => fs::actions::cat(name),
        Action::Rm(name) => fs::actions::rm(name),
        Action::Extract => fs::actions::extract(),
        Action::Append(name) => fs::actions::append(name),
        Action::Ktest(name) => selftest::run(name),
    }
}

/// The boot message for one thing the disk probe found.
fn report(found: &Found) {
    match found {
        Found::Channel(name, mode) => println!("{name}: {mode}"),
        Found::PioDisk(disk) => println!("{}: PIO (the disk does not do DMA)", disk.name),
        Found::Disk(disk) => {
            println!("{}: {}, model \"{}\", serial \"{}\"", disk.name, describe_size(disk.sectors), disk.model, disk.serial)
        }
        Found::Partition(partition, kind) => println!(
            "{}: {}, {} ({kind:02x})",
            partition.name,
            describe_size(partition.sectors()),
            rintos_fs::mbr::describe(*kind)
        ),
        Found::BadPartitionTable(disk, error) => println!("{}: ignoring bad partition table ({error:?})", disk.name),
        Found::Role(role, device) => println!("{}: using {}", role.name(), device.name),
    }
}

/// "8,064 sectors (3 MB)", the classic way of describing a size.
fn describe_size(sectors: u32) -> alloc::string::String {
    let bytes = u64::from(sectors) * SECTOR_SIZE as u64;
    let size = if bytes >= 1024 * 1024 { alloc::format!("{} MB", bytes / (1024 * 1024)) } else { alloc::format!("{} kB", bytes / 1024) };
    alloc::format!("{} sectors ({size})", thousands(u64::from(sectors)))
}

