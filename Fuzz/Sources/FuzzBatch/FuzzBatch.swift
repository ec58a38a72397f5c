import HeadroomAdapters
import HeadroomCore

/// What a Batch API sends back: a batch object, a list of them, and an output or error file whose
/// lines are judged by an adapter, as a batch run reads them.
func fuzzBatch(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? BatchObject(json: bytes)
    _ = try? BatchObject.list(json: bytes)
    let adapter = OpenAIAdapter(apiKey: APIKey("sk-fuzz"))
    for line in BatchResultLine.lines(in: bytes, limit: 1_000) {
        _ = line.outcome(by: adapter)
    }
    return 0
}
