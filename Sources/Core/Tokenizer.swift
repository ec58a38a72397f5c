/// Counts the tokens a text takes, exactly (a BPE) or by estimate; the scheduler
/// reserves quota by these counts, so their accuracy decides how close to the
/// limits Headroom can run.
///
/// Implementers must be pure functions of the text and safe to call from any
/// thread.
public protocol Tokenizer: Sendable {
    /// The number of tokens `text` takes.
    func count(_ text: String) -> Int
}
