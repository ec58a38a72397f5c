/// Where a batch stands, as the provider says (Azure may capitalise it).
public enum BatchStatus: String, Hashable, Sendable, Codable, CaseIterable {
    // The names OpenAI uses.
    case validating, failed, inProgress = "in_progress", finalizing, completed, expired, cancelling, cancelled

    /// The status `text` names, in any case; `nil` for one Headroom does not know.
    public init?(provider text: String) {
        let lowered = text.lowercased()
        self.init(rawValue: lowered == "inprogress" ? "in_progress" : lowered)
    }

    /// Whether the batch has stopped: completed, failed, expired or cancelled.
    public var isFinal: Bool { [.completed, .failed, .expired, .cancelled].contains(self) }
}
