#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sfjwt_fuzz::jks_writer(data));
