/// The windows over which a deployment's per-minute limits are enforced.
///
/// Every limit is enforced over a sliding minute. Providers also evaluate over
/// shorter windows: Azure OpenAI checks the rate over 1 s or 10 s, so a
/// per-minute budget spent in one burst draws 429s although the minute's total
/// is within quota. Each sub-window of length *w* gets the share *w* / 60 s of
/// each per-minute limit (at least one request).
///
/// A request larger than a sub-window's share is admitted only when that
/// window holds nothing else, so a large job is never blocked for good.
///
/// Some providers admit a request while a window's counts are below the limits,
/// so the request that crosses a limit still gets in (Azure's published
/// description of its fixed windows): with ``admitsCrossing`` the scheduler does
/// the same. Its sliding windows always hold at least what a provider's fixed
/// window holds, so what they admit, the provider admits too.
///
/// ```swift
/// deployment.windows = .subWindows(.seconds(10), .seconds(1))
/// ```
public struct RateWindows: Hashable, Sendable {
    /// The windows shorter than a minute, longest first.
    public private(set) var subWindows: [Duration]
    /// Whether a window admits any request while its counts are below its limits
    /// (the request that crosses a limit gets in), rather than only one that fits.
    public var admitsCrossing = false
    /// Whether the minute is a bucket that holds a minute's limits and refills
    /// continuously (OpenAI's), rather than a sliding window that a charge
    /// leaves whole a minute after it was sent. A bucket lets the budget a
    /// minute refills be spent as it refills, not all at once a minute later.
    public var refillsContinuously = false

    /// Enforces the limits over windows shorter than a minute as well as over the minute.
    /// Windows that are not shorter than a minute, or not positive, are dropped.
    public static func subWindows(_ windows: Duration...) -> RateWindows {
        RateWindows(subWindows: windows)
    }

    /// Only the sliding minute.
    public static let perMinute = RateWindows(subWindows: [])

    /// Azure OpenAI's enforcement: a sliding minute and a 10-second window.
    public static let azure = RateWindows(subWindows: [.seconds(10)])

    /// Creates a scheme from sub-window lengths.
    public init(subWindows: [Duration]) {
        let minute = Duration.seconds(60)
        self.subWindows = Array(Set(subWindows.filter { $0 > .zero && $0 < minute })).sorted(by: >)
    }

    /// OpenAI's enforcement: buckets of a minute's limits that refill continuously.
    public static let openAI: RateWindows = {
        var windows = RateWindows.perMinute
        windows.refillsContinuously = true
        return windows
    }()

    /// The default scheme of a provider family: Azure sub-windows for Azure,
    /// refilling buckets for OpenAI and Anthropic, the sliding minute for the others.
    public static func `default`(for provider: ProviderKind) -> RateWindows {
        switch provider {
        case .azureOpenAI: .azure
        case .openAI, .anthropic: .openAI
        case .openAICompatible: .perMinute
        }
    }

    /// All enforced windows, the minute first.
    public var all: [Duration] { [.seconds(60)] + subWindows }
}
