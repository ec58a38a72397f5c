/// A growable ring buffer addressed by absolute positions: the element pushed
/// n-th keeps position n until it is popped, so positions stay valid while the
/// front moves. The building block of the capacity ledger and the queue policies.
///
/// Elements are plain bits, so a slot that falls out of use keeps its stale
/// copy until it is reused: popping writes nothing.
package struct Ring<Element: BitwiseCopyable> {
    /// A power-of-two number of slots (none until the first append).
    private var storage: [Element] = []
    private var mask = 0
    /// Absolute position of the first element.
    package private(set) var startIndex = 0
    /// Absolute position one past the last element.
    package private(set) var endIndex = 0

    package init() {}

    package var count: Int { endIndex - startIndex }
    package var isEmpty: Bool { startIndex == endIndex }

    /// The element at absolute position `position` (`startIndex ..< endIndex`).
    package subscript(position: Int) -> Element {
        get { storage[position & mask] }
        set { storage[position & mask] = newValue }
    }

    /// The element at `offset` from the front.
    package subscript(offset offset: Int) -> Element {
        get { self[startIndex + offset] }
        set { self[startIndex + offset] = newValue }
    }

    package var first: Element? { isEmpty ? nil : self[startIndex] }
    package var last: Element? { isEmpty ? nil : self[endIndex - 1] }

    /// Appends and returns the element's absolute position.
    @discardableResult
    package mutating func append(_ element: Element) -> Int {
        if count == storage.count { grow(filling: element) }
        storage[endIndex & mask] = element
        endIndex += 1
        return endIndex - 1
    }

    /// Removes every element before absolute position `position`, if any.
    package mutating func removeFirst(upTo position: Int) {
        startIndex = max(startIndex, min(position, endIndex))
    }

    /// Removes the element `offset` from the front, shifting the shorter side. Positions of the
    /// elements after it (or before it, if the front side moved) change by one.
    @discardableResult
    package mutating func remove(atOffset offset: Int) -> Element {
        let removed = self[offset: offset]
        if offset < count / 2 {
            var i = offset
            while i > 0 { self[offset: i] = self[offset: i - 1]; i -= 1 }
            startIndex += 1
        } else {
            for i in offset ..< count - 1 { self[offset: i] = self[offset: i + 1] }
            endIndex -= 1
        }
        return removed
    }

    /// Inserts `element` so that it stands at `offset` from the front, shifting the back.
    package mutating func insert(_ element: Element, atOffset offset: Int) {
        append(element)
        var i = count - 1
        while i > offset { self[offset: i] = self[offset: i - 1]; i -= 1 }
        self[offset: offset] = element
    }

    /// The offset of the first element for which `isPast` holds, the elements being partitioned by it
    /// (every one for which it fails comes first); `count` if none. Searched from the front in growing
    /// steps, then by halving: O(log k) for an answer k places from the front, where the queues look.
    package func firstOffset(where isPast: (Element) -> Bool) -> Int {
        var low = 0, high = min(1, count)
        while high < count && !isPast(self[offset: high - 1]) {
            low = high
            high = min(count, high * 2)
        }
        while low < high {
            let middle = (low + high) / 2
            if isPast(self[offset: middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Doubles the slots (16 at first), filling the new ones with `filler`.
    private mutating func grow(filling filler: Element) {
        var bigger = [Element](repeating: filler, count: max(16, storage.count * 2))
        for position in startIndex ..< endIndex {
            bigger[position & (bigger.count - 1)] = storage[position & mask]
        }
        storage = bigger
        mask = bigger.count - 1
    }
}

extension Ring: Sendable where Element: Sendable {}
