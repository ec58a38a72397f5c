/// Where a budget's period starts and ends, in seconds since 1970-01-01T00:00:00Z (UTC, no leap
/// seconds), by ``CivilCalendar``.
extension Budget.Period {
    /// The start and end, in whole seconds since 1970, of the period that holds `seconds`.
    public func bounds(containing seconds: Double) -> (start: Int64, end: Int64) {
        let day = Int64(((seconds.isFinite ? seconds : 0) / 86_400).rounded(.down).clamped(to: -1e12 ... 1e12))
        switch self {
        case .day:
            return (day * 86_400, (day + 1) * 86_400)
        case .month:
            let (year, month, _) = CivilCalendar.civil(fromDays: day)
            let next = month == 12 ? (year + 1, Int64(1)) : (year, month + 1)
            return (CivilCalendar.days(year: year, month: month, day: 1) * 86_400, CivilCalendar.days(year: next.0, month: next.1, day: 1) * 86_400)
        }
    }
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self {
        min(max(self, range.lowerBound), range.upperBound)
    }
}
