/// Where a batch stands, as the provider says (Azure may capitalise it).
public enum BatchStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// The input file is being checked.
    case validating
    /// The batch failed as a whole (its file or its quota refused).
    case failed
    /// Requests are being served.
    case inProgress = "in_progress"
    /// Every request is done; the output is being written.
    case finalizing
    /// Done: the output and error files are ready.
    case completed
    /// The completion window passed: what was not served is in the error file as `batch_expired`.
    case expired
    /// Cancelling, at the caller's request.
    case cancelling
    /// Cancelled: what was served is in the output file.
    case cancelled

    /// The status `text` names, in any case; `nil` for one Headroom does not know.
    public init?(provider text: String) {
        let lowered = text.lowercased()
        self.init(rawValue: lowered == "inprogress" ? "in_progress" : lowered)
    }

    /// Whether the batch has stopped: completed, failed, expired or cancelled.
    public var isFinal: Bool { [.completed, .failed, .expired, .cancelled].contains(self) }
}
