import FuzzDriver

/// The program's entry (SwiftPM links an executable's `main` to `<module>_main`): libFuzzer's driver, with this harness.
@_cdecl("FuzzTokenizer_main")
func entry(_ count: CInt, _ values: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = count, values = values
    return LLVMFuzzerRunDriver(&count, &values, fuzzTokenizer)
}
