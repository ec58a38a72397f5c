/// One deployment's rate-limit accounting: every dispatched request's charge,
/// kept for a minute, summed over each enforced window.
///
/// Windows slide: a request charged at *t* counts in a window of length *w*
/// at every instant in [*t*, *t* + *w*). So the charge over *any* interval of
/// length *w* stays within that window's limit, wherever the provider's own
/// window boundaries fall. A window that holds nothing admits any one request
/// (see ``RateWindows``); one that admits crossing takes any request while its
/// count is below the limit. A minute that refills continuously is a bucket
/// instead (see `CapacityLedger+Refill.swift`).
///
/// The provider's headers are evidence held beside the windows (``ServerBudget``,
/// and the Core catalog's article on headers as evidence).
///
/// The ledger reads no clock: callers advance it to `now` before asking.
struct CapacityLedger: Sendable {
    struct Entry: Sendable {
        var time: Int64
        var tokens: Int
        var requests: Int
        /// All tokens reserved up to and including this entry, for counting what came after it in O(1).
        var reservedThrough: Int
    }

    struct Window: Sendable {
        let length: Int64
        let baseTokens: Int
        let baseRequests: Int
        var tokenLimit: Int
        var requestLimit: Int
        var tokenReciprocal = 1.0
        var requestReciprocal = 1.0
        /// Absolute position of the oldest entry inside the window.
        var start: Int
        /// Whether a request that crosses the token limit is admitted while the count is below it.
        var crossing = false
        /// Whether the window is a bucket that refills continuously (see `CapacityLedger+Refill.swift`),
        /// rather than one that charges leave whole when they are older than its length.
        var refills = false
        var tokens = 0
        var requests = 0
        /// A bucket's progress towards refilling its next token and request, and when it was last brought up to date.
        var tokensProgress: Int64 = 0
        var requestsProgress: Int64 = 0
        var refilledAt: Int64 = 0
        /// A boundary of the provider's fixed windows, as a 429 named it; `nil` while
        /// unknown, and the window slides. See ``leaves(sentAt:)``.
        var boundary: Int64?

        /// When a charge sent at `time` leaves the window: a window's length later
        /// while it slides; once the provider's boundaries are known, at the end of
        /// its fixed window, and a margin later. A charge sent within the margin of a
        /// boundary counts on both sides of it, so that neither clock skew nor the
        /// time a request takes to reach the provider lets a burst cross into a full window.
        func leaves(sentAt time: Int64) -> Int64 {
            guard let boundary else { return time.addingSaturating(length) }
            // The end of the fixed window that holds `time + margin`, and a margin later.
            guard let start = windowStart(holding: time.addingSaturating(margin), boundary: boundary) else { return time.addingSaturating(length) }
            return start.addingSaturating(length + margin)
        }

        /// The latest send time of a charge that has left the window at `now`
        /// (so one comparison a charge tells, as ``leaves(sentAt:)`` would).
        func cutoff(at now: Int64) -> Int64 {
            guard let boundary else { return now.addingSaturating(-length) }
            // A charge leaves at the end of its fixed window and a margin: the window that ended
            // by `now - margin` holds the last charges gone, those sent a margin before its end.
            guard let start = windowStart(holding: now.addingSaturating(-margin - length), boundary: boundary) else {
                return now.addingSaturating(-length)
            }
            return start.addingSaturating(length - margin - 1)
        }

        /// The earliest send time whose charge may still count in the window at `instant`: a charge
        /// sent before it has left by then (``leaves(sentAt:)``), wherever the boundaries fall.
        func earliestSendCounting(at instant: Int64) -> Int64 {
            // A fixed window's charge leaves at most a window and two margins after it is sent.
            instant.addingSaturating(1 - length - (boundary == nil ? 0 : 2 * margin))
        }

        private var margin: Int64 { min(length / 50, Self.largestMargin) }

        /// The start of the fixed window that holds `instant`: `boundary` moved by whole windows.
        private func windowStart(holding instant: Int64, boundary: Int64) -> Int64? {
            let (offset, overflow) = instant.subtractingReportingOverflow(boundary)
            guard !overflow else { return nil }
            let whole = offset >= 0 ? offset / length : -((-offset - 1) / length) - 1
            return boundary.addingSaturating(whole * length)
        }

        /// The most a fixed window's boundary is widened by: 200 ms.
        static let largestMargin = Duration.milliseconds(200).nanoseconds

        var isEmpty: Bool { tokens == 0 && requests == 0 }

        func admits(tokens charge: Int) -> Bool {
            isEmpty || ((crossing ? tokens < tokenLimit : tokens + charge <= tokenLimit) && requests < requestLimit)
        }

        /// Whether the window holds a request charged `charge` and, besides it, `kept` of its limits
        /// free (``SchedulerConfiguration/tenantReserve``). An empty window holds any request.
        func holds(tokens charge: Int, keeping kept: Kept) -> Bool {
            isEmpty || ((crossing ? tokens + kept.tokens < tokenLimit : tokens + charge + kept.tokens <= tokenLimit)
                && requests + kept.requests < requestLimit)
        }

        /// The tokens and requests of its limits that a share `reserve` of them comes to, rounded up.
        func kept(_ reserve: Double) -> Kept {
            Kept(tokens: Int((reserve * Double(tokenLimit)).rounded(.up)), requests: Int((reserve * Double(requestLimit)).rounded(.up)))
        }

        /// The largest charge the window admits now (`Int.max`: any), if it has a request to spare.
        var tokenSlack: Int {
            crossing ? (tokens < tokenLimit ? .max : -1) : tokenLimit - tokens
        }
    }

    /// Tokens and requests of a window's limits kept free besides a charge.
    struct Kept: Sendable {
        var tokens = 0
        var requests = 0
    }

    private(set) var entries = Ring<Entry>()
    /// Tokens reserved since the ledger was made (never settled down): see `Entry.reservedThrough`.
    private var reservedTotal = 0
    /// The minute first, then the sub-windows, longest first.
    private(set) var windows: [Window]
    private let utilization: Double
    private let adaptation: Adaptation

    /// Multiplier on the limits, below 1 after 429 episodes.
    private(set) var limitFactor = 1.0
    /// The share of the limits this instance of Headroom may use, others sharing the rest
    /// (see ``setShare(_:now:)``); at 0 nothing is admitted.
    private(set) var share = 1.0
    private var factorAtLastThrottle = 1.0
    private var lastThrottle: Int64 = .min
    /// No request may be sent before this instant (a provider's retry-after).
    private(set) var blockedUntil: Int64 = .min
    /// The server's view of the budgets, while it is lower than the ledger's and has not lapsed.
    private(set) var serverTokens: ServerBudget?
    private(set) var serverRequests: ServerBudget?
    /// Whether the server contradicted its own headers (it admitted a request
    /// when they said nothing was left): they are not adopted again until a 429.
    private(set) var headersRefuted = false
    /// Whether the first window, the minute, is a bucket that refills continuously (the others never are).
    let minuteRefills: Bool
    /// Whether the provider's windows are fixed and admit the request that crosses a limit (see ``RateWindows``).
    let providerAdmitsCrossing: Bool
    /// The earliest instant at which ``advance(to:)`` has work: a charge leaving a
    /// window, the server's view running out, or the limit factor recovering a step.
    private var nextChange: Int64 = .min
    /// The common case of ``judge(tokens:now:)``, rebuilt after every change.
    private(set) var summary = AdmissionSummary()
    /// The latest verdicts that a request has to wait, until the ledger next changes.
    private var waits = WaitMemo()
    /// The latest backfill room told, until the ledger next changes.
    private var rooms = RoomMemo()
    /// Whether ``waits`` and ``rooms`` are consulted (``SchedulerConfiguration/remembersBlockedJobs``).
    private let remembersWaits: Bool

    init(deployment: Deployment, utilization: Double, adaptation: Adaptation, remembersWaits: Bool = true) {
        self.remembersWaits = remembersWaits
        let minute = Duration.seconds(60).nanoseconds
        windows = deployment.windows.all.map { length in
            let nanos = length.nanoseconds
            func share(_ perMinute: Int) -> Int {
                max(1, Int(Double(perMinute) * Double(nanos) / Double(minute)))
            }
            return Window(
                length: nanos, baseTokens: share(deployment.tokensPerMinute),
                baseRequests: share(deployment.requestsPerMinute), tokenLimit: 0, requestLimit: 0, start: 0,
                crossing: deployment.windows.admitsCrossing,
                refills: deployment.windows.refillsContinuously && length == .seconds(60)
            )
        }
        minuteRefills = windows[0].refills
        providerAdmitsCrossing = deployment.windows.admitsCrossing
        self.utilization = utilization
        self.adaptation = adaptation
        refreshLimits()
        summarize()
    }

    // MARK: Time

    /// Expires charges that have left their windows, drops an outdated server
    /// view and recovers the limit factor. Inlined, as most calls find nothing due.
    @inline(__always)
    mutating func advance(to now: Int64) {
        if now >= nextChange { expire(to: now) }
    }

    private mutating func expire(to now: Int64) {
        // The next charge to leave a window, found on the way.
        var next = Int64.max
        for w in windows.indices {
            let cutoff = windows[w].cutoff(at: now)
            var start = windows[w].start, tokens = 0, requests = 0
            while start < entries.endIndex {
                let entry = entries[start]
                guard entry.time <= cutoff else {
                    next = min(next, windows[w].leaves(sentAt: entry.time))
                    break
                }
                tokens += entry.tokens
                requests += entry.requests
                start += 1
            }
            guard !windows[w].refills else {
                // A bucket keeps its charges only to settle them; what it owes falls with time.
                windows[w].start = start
                windows[w].refill(to: now)
                if !windows[w].isEmpty { next = now }
                continue
            }
            if start != windows[w].start {
                windows[w].tokens -= tokens
                windows[w].requests -= requests
                windows[w].start = start
            }
        }
        entries.removeFirst(upTo: windows[0].start)
        if let budget = serverTokens, now >= budget.lapsesAt { serverTokens = nil }
        if let budget = serverRequests, now >= budget.lapsesAt { serverRequests = nil }
        if limitFactor < 1 {
            let recovered = min(1, factorAtLastThrottle + Double(recoverySteps(at: now)) * adaptation.recoveryStep)
            if recovered != limitFactor {
                limitFactor = recovered
                refreshLimits()
            }
        }
        if let budget = serverTokens { next = min(next, budget.lapsesAt) }
        if let budget = serverRequests { next = min(next, budget.lapsesAt) }
        if limitFactor < 1 { next = min(next, nextRecovery(after: now)) }
        nextChange = next
        summarize()
    }

    // MARK: Admission

    /// The ledger's answer for one request.
    enum Verdict: Equatable {
        /// It may be sent now, leaving this share of the tightest limit, in [0, 1].
        case admitted(headroom: Double)
        /// It may not be sent before this instant if nothing else is sent
        /// meanwhile (or the limit factor recovers a step then).
        case waits(until: Int64)
    }

    /// Advances to `now` and judges a request charged `tokens`.
    ///
    /// The dispatch pass asks ``summary`` first, which answers the common case
    /// (nothing due, no retry-after, no server view, every window admits) in
    /// place; this is the rest, and asks the summary again only if advancing
    /// changed it. A request told to wait is told the same again, without a
    /// search, until the ledger changes.
    @inline(never)
    mutating func judge(tokens: Int, now: Int64) -> Verdict {
        if now >= nextChange {
            expire(to: now)
            if let headroom = summary.headroom(tokens: tokens, now: now) { return .admitted(headroom: headroom) }
        }
        guard remembersWaits else { return judgeAsIs(tokens: tokens, now: now) }
        if let until = waits.wait(tokens: tokens, now: now) { return .waits(until: until) }
        let verdict = judgeAsIs(tokens: tokens, now: now)
        if case .waits(let until) = verdict { waits.remember(tokens: tokens, until: until) }
        return verdict
    }

    /// ``judge(tokens:now:)`` for a request that must leave a share `reserve` of every window's
    /// limits free besides its charge (a job of a tenant over its share; see
    /// ``SchedulerConfiguration/tenantReserve``): told to wait until each window has room for both.
    mutating func judge(tokens: Int, keeping reserve: Double, now: Int64) -> Verdict {
        let verdict = judge(tokens: tokens, now: now)
        var earliest = Int64.min
        if case .waits(let until) = verdict { earliest = until }
        for window in windows {
            let kept = window.kept(reserve)
            if !window.holds(tokens: tokens, keeping: kept) { earliest = max(earliest, expiry(freeing: window, for: tokens, keeping: kept)) }
        }
        return earliest == .min ? verdict : .waits(until: earliest)
    }

    /// ``judge(tokens:now:)`` once the ledger is advanced to `now`. (Mutating
    /// in name only: as a plain method it would be called on a copy of the ledger.)
    @inline(__always)
    private mutating func judgeAsIs(tokens: Int, now: Int64) -> Verdict {
        guard now >= blockedUntil, share > 0, let least = windowHeadroom(tokens: tokens) else {
            return .waits(until: earliestAdmission(tokens: tokens, now: now))
        }
        if serverTokens == nil && serverRequests == nil { return .admitted(headroom: max(0, least)) }
        return judgeServerView(tokens: tokens, now: now, least: least)
    }

    /// The share of the tightest window limit left after a request charged
    /// `tokens`, or `nil` if a window does not admit it.
    @inline(__always)
    private func windowHeadroom(tokens: Int) -> Double? {
        var least = 1.0
        for w in windows.indices {
            guard windows[w].admits(tokens: tokens) else { return nil }
            least = min(least, Double(windows[w].tokenLimit - windows[w].tokens - tokens) * windows[w].tokenReciprocal,
                        Double(windows[w].requestLimit - windows[w].requests - 1) * windows[w].requestReciprocal)
        }
        return least
    }

    /// ``judge(tokens:now:)`` while the server's view of the budgets is in force
    /// (out of line: it is rare, and its optionals would slow the common case).
    @inline(never)
    private func judgeServerView(tokens: Int, now: Int64, least windowLeast: Double) -> Verdict {
        var least = windowLeast
        if let budget = serverTokens {
            let available = budget.available(at: now) - budget.spent
            guard tokens <= available else { return .waits(until: earliestAdmission(tokens: tokens, now: now)) }
            least = min(least, Double(available - tokens) / Double(budget.limit))
        }
        if let budget = serverRequests, !budget.admits(1, at: now) {
            return .waits(until: earliestAdmission(tokens: tokens, now: now))
        }
        return .admitted(headroom: max(0, least))
    }

    /// The earliest instant at which a request charged `tokens` becomes
    /// admissible if nothing else is sent meanwhile (or at which the limit
    /// factor recovers a step, when that comes first). (Inlined: a call would copy the ledger.)
    @inline(__always)
    private func earliestAdmission(tokens: Int, now: Int64) -> Int64 {
        // Without a share only a new share admits anything: no instant can be named.
        if share == 0 { return .max }
        var earliest = max(now, blockedUntil)
        for window in windows where !window.admits(tokens: tokens) {
            earliest = max(earliest, expiry(freeing: window, for: tokens))
        }
        if let budget = serverTokens { earliest = max(earliest, budget.earliest(admitting: tokens, now: now)) }
        if let budget = serverRequests { earliest = max(earliest, budget.earliest(admitting: 1, now: now)) }
        if limitFactor < 1 {
            earliest = min(earliest, nextRecovery(after: now))
        }
        return earliest
    }

    /// The largest charge that may be sent now without delaying a request
    /// charged `claimantTokens` that waits to go at `claimantAt` (-1 if none):
    /// it must fit now, and at that instant every window must still hold both,
    /// unless its charge has left the window by then. None while the server's
    /// view is in force or a retry-after blocks. Advances the ledger to `now` first.
    /// (Inlined, and mutating: a call, or a plain method, would copy the ledger out of the deployment's state.)
    @inline(__always)
    mutating func backfillRoom(now: Int64, besides claimantTokens: Int, at claimantAt: Int64) -> Int {
        advance(to: now)
        guard remembersWaits else { return measureBackfillRoom(now: now, besides: claimantTokens, at: claimantAt).room }
        if let room = rooms.room(besides: claimantTokens, at: claimantAt, now: now) { return room }
        let measured = measureBackfillRoom(now: now, besides: claimantTokens, at: claimantAt)
        rooms.remember(measured.room, besides: claimantTokens, at: claimantAt, until: measured.until)
        return measured.room
    }

    /// ``backfillRoom(now:besides:at:)`` found afresh, with the instant before which it holds
    /// while the ledger does not change. (Mutating in name only, as ``judgeAsIs(tokens:now:)``.)
    private mutating func measureBackfillRoom(now: Int64, besides claimantTokens: Int, at claimantAt: Int64) -> (room: Int, until: Int64) {
        guard now >= blockedUntil else { return (-1, blockedUntil) }
        guard serverTokens == nil && serverRequests == nil, share > 0 else { return (-1, .max) }
        var room = Int.max, until = Int64.max
        for window in windows {
            if !window.isEmpty {
                guard window.requests < window.requestLimit else { return (-1, until) }
                room = min(room, window.tokenLimit - window.tokens)
            }
            if window.refills {
                // What refills by then counts for the claimant (less any fraction, and never below zero owed: conservative).
                guard claimantTokens <= window.tokenLimit else { return (-1, until) }
                let refilled = window.refilled(from: now, to: claimantAt)
                // It refills by the instant: the room holds at this one only.
                until = now.addingSaturating(1)
                guard window.requests - refilled.requests + 2 <= window.requestLimit else { return (-1, until) }
                room = min(room, window.tokenLimit - window.tokens + refilled.tokens - claimantTokens)
                continue
            }
            // A charge sent now has left this window by the claimant's instant: it cannot delay it here.
            guard window.leaves(sentAt: now) > claimantAt else {
                until = min(until, window.earliestSendCounting(at: claimantAt))
                continue
            }
            guard claimantTokens <= window.tokenLimit else { return (-1, until) }
            let cutoff = window.cutoff(at: claimantAt)
            var tokensThen = window.tokens, requestsThen = window.requests
            var position = window.start
            while position < entries.endIndex, entries[position].time <= cutoff {
                tokensThen -= entries[position].tokens
                requestsThen -= entries[position].requests
                position += 1
            }
            guard requestsThen + 2 <= window.requestLimit else { return (-1, until) }
            room = min(room, window.tokenLimit - tokensThen - claimantTokens)
        }
        return (max(-1, room), until)
    }

    /// When enough of `window`'s oldest entries have expired to admit `tokens`.
    /// (Inlined, as is ``emptying(_:)``: a call would copy the ledger.)
    @inline(__always)
    private func expiry(freeing window: Window, for tokens: Int, keeping kept: Kept = Kept()) -> Int64 {
        if window.refills {
            return tokens + kept.tokens > window.tokenLimit ? window.refilledFully : window.refilled(for: tokens + kept.tokens, requests: 1 + kept.requests)
        }
        if tokens + kept.tokens > window.tokenLimit && !window.crossing { return emptying(window) }
        // Crossing, the count must fall below the limit; otherwise the charge must fit.
        let tokensToFree = kept.tokens + (window.crossing ? window.tokens - window.tokenLimit + 1 : window.tokens + tokens - window.tokenLimit)
        let requestsToFree = window.requests + 1 + kept.requests - window.requestLimit
        var freedTokens = 0, freedRequests = 0
        var position = window.start
        while position < entries.endIndex {
            let entry = entries[position]
            freedTokens += entry.tokens
            freedRequests += entry.requests
            if freedTokens >= tokensToFree && freedRequests >= requestsToFree {
                return window.leaves(sentAt: entry.time)
            }
            position += 1
        }
        return emptying(window)
    }

    /// When the last entry that counts in `window` leaves it (entries settled to nothing do not count).
    @inline(__always)
    private func emptying(_ window: Window) -> Int64 {
        var last = entries.endIndex - 1
        while last > window.start && entries[last].tokens == 0 && entries[last].requests == 0 { last -= 1 }
        return window.leaves(sentAt: entries[last].time)
    }

    /// Requests and tokens that may still be sent now under the tightest window.
    /// (Inlined: a call from ``observe(_:seenThrough:now:requestsPerMinute:tokensPerMinute:)`` would copy the ledger.)
    @inline(__always)
    func remaining(now: Int64) -> (requests: Int, tokens: Int) {
        if now < blockedUntil || share == 0 { return (0, 0) }
        var requests = Int.max, tokens = Int.max
        for window in windows {
            requests = min(requests, window.requestLimit - window.requests)
            tokens = min(tokens, window.tokenLimit - window.tokens)
        }
        if let budget = serverTokens { tokens = min(tokens, budget.available(at: now) - budget.spent) }
        if let budget = serverRequests { requests = min(requests, budget.available(at: now) - budget.spent) }
        return (max(0, requests), max(0, tokens))
    }

    /// The server's view in force, for monitoring.
    func serverView(now: Int64) -> ServerView? {
        let views = [serverTokens, serverRequests].compactMap { $0 }
        guard !views.isEmpty else { return nil }
        return ServerView(
            remainingTokens: serverTokens.map { max(0, $0.available(at: now) - $0.spent) },
            remainingRequests: serverRequests.map { max(0, $0.available(at: now) - $0.spent) },
            observedAt: Instant(nanoseconds: views.map(\.observedAt).min()!),
            until: Instant(nanoseconds: views.map(\.lapsesAt).max()!)
        )
    }

    // MARK: Charging

    /// Records a request charged `tokens` at `now`; returns its position for ``settle(_:tokens:requests:)``.
    mutating func reserve(tokens: Int, now: Int64) -> Int {
        reservedTotal += tokens
        let position = entries.append(Entry(time: now, tokens: tokens, requests: 1, reservedThrough: reservedTotal))
        if minuteRefills {
            windows[0].refill(to: now)
            // A bucket that owes refills from now on: advancing has work at every instant.
            nextChange = now
        }
        for w in windows.indices {
            windows[w].tokens += tokens
            windows[w].requests += 1
        }
        serverTokens?.spent += tokens
        serverRequests?.spent += 1
        nextChange = min(nextChange, now.addingSaturating(windows[windows.count - 1].length))
        summarize()
        return position
    }

    /// Corrects a recorded charge once the real one is known (a throttled request
    /// costs nothing; a served one what the provider counted). Returns whether
    /// that changed anything: a request told to wait may then go sooner.
    @discardableResult
    mutating func settle(_ position: Int, tokens: Int, requests: Int, now: Int64) -> Bool {
        guard position >= entries.startIndex && position < entries.endIndex else { return false }
        let old = entries[position]
        // A charge that stands as reserved changes nothing, and the waits told still hold.
        guard tokens != old.tokens || requests != old.requests else { return false }
        entries[position] = Entry(time: old.time, tokens: tokens, requests: requests, reservedThrough: old.reservedThrough)
        for w in windows.indices where position >= windows[w].start {
            guard windows[w].refills else {
                windows[w].tokens += tokens - old.tokens
                windows[w].requests += requests - old.requests
                continue
            }
            // A refund fills a bucket no further than full.
            windows[w].refill(to: now)
            windows[w].charge(tokens: tokens - old.tokens, requests: requests - old.requests)
            if !windows[w].isEmpty { nextChange = now }
        }
        summarize()
        return true
    }

    // MARK: Provider signals

    /// A 429: block until `now + wait`, and shrink the limits if this is a new episode.
    ///
    /// A provider whose windows are fixed and admit the crossing request (Azure's
    /// description) names the end of the window that refused: when `named` (the
    /// wait is the provider's own) and no longer than the shortest window, that
    /// instant is one of the shortest window's boundaries, and from then on its
    /// charges leave at the boundaries, in step with the provider's (newer evidence
    /// replaces older).
    mutating func throttle(now: Int64, wait: Int64, named: Bool) {
        let newEpisode = now >= blockedUntil
        blockedUntil = max(blockedUntil, now.addingSaturating(wait))
        let shortest = windows.count - 1
        if named, shortest > 0, providerAdmitsCrossing, wait > 0, wait <= windows[shortest].length {
            windows[shortest].boundary = now.addingSaturating(wait)
            nextChange = .min
        }
        // A 429 is evidence the ledger alone is not enough: headers are heard again.
        headersRefuted = false
        defer { summarize() }
        guard newEpisode && adaptation.isEnabled else { return }
        if minuteRefills { windows[0].refill(to: now) }
        limitFactor = max(adaptation.floor, limitFactor * adaptation.decrease)
        factorAtLastThrottle = limitFactor
        lastThrottle = now
        nextChange = .min
        refreshLimits()
    }

    // MARK: Sharing

    /// Uses `share` of the limits from `now` (others sharing the deployment use the rest): 0 admits
    /// nothing, 1 all. Charges already sent stay; a lower share admits nothing new until they leave
    /// enough room under it. Below 1, a request must fit under the share even where the provider
    /// admits one that crosses its limit. Returns whether the limits changed.
    @discardableResult
    mutating func setShare(_ newShare: Double, now: Int64) -> Bool {
        let clamped = newShare.isNaN ? 0 : min(1, max(0, newShare))
        guard clamped != share else { return false }
        // A bucket is brought up to date at the old rate before the new one applies.
        if minuteRefills { windows[0].refill(to: now) }
        share = clamped
        // The provider admits one request across a limit: the whole deployment's, not a share's. An
        // instance with a share must fit in it, or every instance sharing would cross at once.
        for w in windows.indices { windows[w].crossing = providerAdmitsCrossing && share == 1 }
        nextChange = .min
        refreshLimits()
        summarize()
        return true
    }

    /// The largest share of any of the deployment's configured limits (before utilization, adaptation
    /// and share) that the charges in its windows take now: what this instance holds of the deployment.
    func occupancy() -> Double {
        var largest = 0.0
        for window in windows {
            largest = max(largest, Double(window.tokens) / Double(window.baseTokens), Double(window.requests) / Double(window.baseRequests))
        }
        return largest
    }

    /// Adopts the server's budgets where they are below the ledger's own.
    ///
    /// Headers describe the budget when the server took the request they came
    /// back with: `seenThrough` is that request's position in the ledger. They
    /// are compared with what the ledger held at that request (charges that have
    /// left a window since still counted then), and what was reserved after it,
    /// which the server had not seen, is spent against the adopted view (as
    /// reserved: settlements since only make that conservative). `nil` means the
    /// headers stand on their own, as of `now`.
    ///
    /// A view is evidence about one moment: it lapses at the server's reset or
    /// after the shortest window, whichever is first; older evidence never
    /// replaces newer; and headers the server contradicts by admitting a request
    /// they said had no room (`admitted`) are not heard again until a 429.
    ///
    /// Returns whether the ledger's view changed: a request told to wait may then go sooner or later.
    @discardableResult
    mutating func observe(
        _ observation: RateLimitObservation, seenThrough: Int?, admitted: Bool, now: Int64, requestsPerMinute: Int, tokensPerMinute: Int
    ) -> Bool {
        var observedAt = now
        var position = Int.max
        var unseenTokens = 0, unseenRequests = 0
        if let seen = seenThrough {
            guard seen >= entries.startIndex, seen < entries.endIndex else { return false }
            // What was reserved after the observed request (as reserved: a conservative count).
            observedAt = entries[seen].time
            position = seen
            unseenTokens = reservedTotal - entries[seen].reservedThrough
            unseenRequests = entries.endIndex - 1 - seen
        }
        // The common case: no server view in force, and headers that show no less room than the
        // ledger's own now (which is never less than its own as of the request, less what came since);
        // neither budget would be adopted, so nothing changes.
        if serverTokens == nil && serverRequests == nil {
            let own = remaining(now: now)
            if observation.tokens.map({ $0.remaining >= own.tokens + unseenTokens }) ?? true
                && observation.requests.map({ $0.remaining >= own.requests + unseenRequests }) ?? true { return false }
        }
        return observeInFull(observation, at: observedAt, position: position, unseen: (unseenRequests, unseenTokens),
                             admitted: admitted, now: now, limits: (requestsPerMinute, tokensPerMinute))
    }

    /// ``observe(_:seenThrough:admitted:now:requestsPerMinute:tokensPerMinute:)`` past its common case.
    private mutating func observeInFull(
        _ observation: RateLimitObservation, at observedAt: Int64, position: Int, unseen: (requests: Int, tokens: Int),
        admitted: Bool, now: Int64, limits: (requests: Int, tokens: Int)
    ) -> Bool {
        let viewBefore = (serverTokens, serverRequests, nextChange, headersRefuted)
        if admitted, position != .max, !headersRefuted {
            let refuted = serverTokens?.isRefuted(byAdmissionAt: position, at: observedAt, remainingAfter: observation.tokens?.remaining) == true
                || serverRequests?.isRefuted(byAdmissionAt: position, at: observedAt, remainingAfter: observation.requests?.remaining) == true
            if refuted {
                headersRefuted = true
                serverTokens = nil
                serverRequests = nil
            }
        }
        if !headersRefuted {
            let own = remaining(asOf: position, at: observedAt, now: now)
            // When the request answered leaves the shortest window (the newest, for headers on their own):
            // a deployment that sends nothing cannot be held back by headers for longer.
            let newest = entries.last?.time ?? .min
            let lapsesBy = windows[windows.count - 1].leaves(sentAt: min(observedAt, newest))
            if let budget = observation.tokens, serverTokens.map({ $0.position <= position }) ?? true {
                serverTokens = ServerBudget.adopting(
                    remaining: budget.remaining, limit: budget.limit ?? limits.tokens, resetIn: budget.resetNanoseconds,
                    refill: observation.refill, ownRemaining: own.tokens, spent: unseen.tokens, observedAt: observedAt,
                    position: position, lapsesBy: lapsesBy, now: now
                )
            }
            if let budget = observation.requests, serverRequests.map({ $0.position <= position }) ?? true {
                serverRequests = ServerBudget.adopting(
                    remaining: budget.remaining, limit: budget.limit ?? limits.requests, resetIn: budget.resetNanoseconds,
                    refill: observation.refill, ownRemaining: own.requests, spent: unseen.requests, observedAt: observedAt,
                    position: position, lapsesBy: lapsesBy, now: now
                )
            }
        }
        // An adopted view ends when it lapses; otherwise nothing new falls due.
        if let budget = serverTokens { nextChange = min(nextChange, budget.lapsesAt) }
        if let budget = serverRequests { nextChange = min(nextChange, budget.lapsesAt) }
        // Headers that only confirm the ledger's own view change nothing.
        guard viewBefore != (serverTokens, serverRequests, nextChange, headersRefuted) else { return false }
        summarize()
        return true
    }

    /// Requests and tokens the ledger's own windows had left when the server
    /// judged the request at `position` (sent at `time`): the charges up to it
    /// that were still in each window then, including those that have left since
    /// (while the ledger still holds them). `Int.max`: everything, as of now.
    private func remaining(asOf position: Int, at time: Int64, now: Int64) -> (requests: Int, tokens: Int) {
        var requests = Int.max, tokens = Int.max
        let last = min(position, entries.endIndex - 1)
        for window in windows {
            if window.refills {
                // What a bucket owed then: what it owes now, plus what refilled since, less what was sent since.
                var owedTokens = window.tokens, owedRequests = window.requests
                var index = entries.endIndex - 1
                while index > last {
                    owedTokens -= entries[index].tokens
                    owedRequests -= entries[index].requests
                    index -= 1
                }
                let refilled = window.refilled(from: time, to: now)
                requests = min(requests, window.requestLimit - max(0, owedRequests + refilled.requests))
                tokens = min(tokens, window.tokenLimit - max(0, owedTokens + refilled.tokens))
                continue
            }
            let cutoff = time.addingSaturating(-window.length)
            var used = 0, count = 0
            var index = last
            while index >= entries.startIndex, entries[index].time > cutoff {
                used += entries[index].tokens
                count += entries[index].requests
                index -= 1
            }
            requests = min(requests, window.requestLimit - count)
            tokens = min(tokens, window.tokenLimit - used)
        }
        return (max(0, requests), max(0, tokens))
    }

    // MARK: Limits

    /// Rebuilds ``summary`` after a change, and forgets the waits and room it told.
    private mutating func summarize() {
        waits.forget()
        rooms.forget()
        var summary = AdmissionSummary()
        defer { self.summary = summary }
        guard serverTokens == nil && serverRequests == nil && windows.count <= 2 && share > 0 else { return }
        // A bucket that owes changes by the instant: judge in full.
        guard !(minuteRefills && !windows[0].isEmpty) else { return }
        summary.tokenSlack = .max
        for w in windows.indices {
            // A window without a request to spare admits nothing: judge in full.
            let requestsLeft = windows[w].requestLimit - windows[w].requests
            guard requestsLeft > 0 else { return }
            let room = windows[w].tokenLimit - windows[w].tokens
            summary.tokenSlack = min(summary.tokenSlack, windows[w].tokenSlack)
            summary.requestShare = min(summary.requestShare, Double(requestsLeft - 1) * windows[w].requestReciprocal)
            if w == 0 { (summary.room0, summary.reciprocal0) = (room, windows[w].tokenReciprocal) }
            (summary.room1, summary.reciprocal1) = (room, windows[w].tokenReciprocal)
        }
        summary.validFrom = blockedUntil
        summary.validUntil = nextChange
    }

    private mutating func refreshLimits() {
        let scale = utilization * limitFactor * share
        for w in windows.indices {
            windows[w].tokenLimit = max(1, Int(Double(windows[w].baseTokens) * scale))
            windows[w].requestLimit = max(1, Int(Double(windows[w].baseRequests) * scale))
            windows[w].tokenReciprocal = 1 / Double(windows[w].tokenLimit)
            windows[w].requestReciprocal = 1 / Double(windows[w].requestLimit)
        }
    }

    @inline(__always)
    private func recoverySteps(at now: Int64) -> Int64 {
        max(0, (now - lastThrottle) / adaptation.recoveryInterval.nanoseconds)
    }

    @inline(__always)
    private func nextRecovery(after now: Int64) -> Int64 {
        lastThrottle.addingSaturating((recoverySteps(at: now) + 1) * adaptation.recoveryInterval.nanoseconds)
    }
}
