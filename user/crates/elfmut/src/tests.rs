use super::*;

extern crate std;
use std::string::ToString;
use std::vec;
use std::vec::Vec;

/// What the kernel's loader rules (`rintos-elf`) make of an image: `None` if refused, else
/// the loaded segments.
fn load(image: &[u8]) -> Option<Vec<rintos_elf::Segment>> {
    let header = rintos_elf::parse_header(image, image.len() as u64).ok()?;
    let start = header.program_header_offset as usize;
    rintos_elf::parse_segments(&header, image.get(start..)?, image.len() as u64).ok()
}

fn entry(image: &[u8]) -> u32 {
    get_u32(image, 24)
}

/// The byte the CPU would execute first, if the entry point lies in the file part of a
/// segment; `Some(0)` for bss.
fn first_byte(image: &[u8], segments: &[rintos_elf::Segment]) -> Option<u8> {
    let entry = entry(image);
    let segment = segments
        .iter()
        .find(|s| s.page_start <= entry && entry < s.page_start + s.page_count * PAGE)?;
    let within = entry - segment.page_start;
    if within >= segment.file_bytes {
        return Some(0);
    }
    image.get((segment.file_offset + within) as usize).copied()
}

#[test]
fn every_built_executable_loads_and_starts_at_its_exit_stub() {
    for shape in Shape::ALL {
        let mut image = vec![0; MAX_IMAGE];
        let len = build(shape, &mut image);
        let segments = load(&image[..len]).unwrap_or_else(|| panic!("{shape:?} is refused"));
        assert!(!segments.is_empty());
        let segment = segments
            .iter()
            .find(|s| s.page_start <= entry(&image) && entry(&image) < s.page_start + PAGE)
            .unwrap();
        let at = (segment.file_offset + entry(&image) - segment.page_start) as usize;
        assert_eq!(&image[at..at + STUB.len()], &STUB, "{shape:?}");
    }
}

#[test]
fn a_mutant_depends_only_on_seed_and_index() {
    let program = program();
    let (mut a, mut b) = (vec![0; MAX_IMAGE], vec![0; MAX_IMAGE]);
    for index in 0..200 {
        let first = mutant(7, index, Some(&program), &mut a);
        let second = mutant(7, index, Some(&program), &mut b);
        assert_eq!(first, second);
        assert_eq!(a[..first.len], b[..second.len]);
    }
    let differing = (0..50)
        .filter(|&index| mutant(7, index, None, &mut a) != mutant(8, index, None, &mut b))
        .count();
    assert!(differing > 40, "seeds 7 and 8 give nearly the same mutants");
}

/// A stand-in for a real program: a built executable, passed as the caller's program.
fn program() -> Vec<u8> {
    let mut image = vec![0; MAX_IMAGE];
    let len = build(Shape::TextData, &mut image);
    image.truncate(len);
    image
}

#[test]
fn a_thousand_mutants_cover_every_kind_and_both_outcomes() {
    let program = program();
    let mut out = vec![0; MAX_IMAGE];
    let mut kinds = std::collections::BTreeSet::new();
    let (mut refused, mut loaded, mut from_program) = (0, 0, 0);
    for index in 0..1000 {
        let made = mutant(1, index, Some(&program), &mut out);
        for mutation in made.mutations() {
            kinds.insert(
                std::format!("{mutation:?}")
                    .split([' ', '{'])
                    .next()
                    .unwrap()
                    .to_string(),
            );
        }
        from_program += usize::from(made.base == Base::Program);
        match load(&out[..made.len]) {
            Some(_) => loaded += 1,
            None => refused += 1,
        }
    }
    assert_eq!(kinds.len(), 9, "{kinds:?}");
    assert!(
        refused > 500 && loaded > 100,
        "{refused} refused, {loaded} loaded"
    );
    assert!(
        (150..350).contains(&from_program),
        "{from_program} from the program"
    );
}

#[test]
fn real_programs_only_get_mutations_that_cannot_move_their_code() {
    let program = program();
    let mut out = vec![0; MAX_IMAGE];
    for index in 0..2000 {
        let made = mutant(3, index, Some(&program), &mut out);
        if made.base != Base::Program {
            continue;
        }
        for mutation in made.mutations() {
            let moves_code = match mutation {
                Mutation::Phdr { .. } | Mutation::Havoc { .. } => true,
                Mutation::Header {
                    field: HeaderField::Phoff,
                    ..
                } => true,
                Mutation::Header {
                    field: HeaderField::Entry,
                    value,
                } => (TEXT_BASE..TEXT_BASE + 8 * PAGE).contains(&value),
                _ => false,
            };
            assert!(!moves_code, "mutant {index}: {made}");
        }
    }
}

/// Whatever a built executable becomes, a loaded mutant can only start in [`FILL`], in bss,
/// at its stub, or outside every segment: never in header bytes, where it could do anything
/// (loop forever, or halt the machine).
#[test]
fn loaded_mutants_of_built_executables_start_somewhere_harmless() {
    let mut out = vec![0; MAX_IMAGE];
    for seed in 0..4 {
        for index in 0..2000 {
            let made = mutant(seed, index, None, &mut out);
            let image = &out[..made.len];
            let Some(segments) = load(image) else {
                continue;
            };
            if let Some(byte) = first_byte(image, &segments) {
                assert!(
                    [FILL, 0, STUB[0]].contains(&byte),
                    "seed {seed} mutant {index} starts at {byte:#04x}: {made}"
                );
            }
        }
    }
}

#[test]
fn mutants_describe_themselves() {
    let mut out = vec![0; MAX_IMAGE];
    let made = mutant(1, 0, None, &mut out);
    let text = std::format!("{made}");
    assert!(
        text.starts_with("single") || text.starts_with("text-data") || text.starts_with("spread"),
        "{text}"
    );
    assert_eq!(text.matches("; ").count(), made.mutations().count());
}
