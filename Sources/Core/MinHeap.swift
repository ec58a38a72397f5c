/// A binary min-heap: the least element comes out first. The scheduler's timers, the fair
/// queue's merge of tenants' lanes and the tokenizer's merges of long pieces keep their order in one.
///
/// Public and inlinable so that each module that uses it gets a copy specialized for its element:
/// a `package` one is not, and its generic calls made merging 1 MB of one letter 15 times slower.
public struct MinHeap<Element: Comparable & Sendable>: Sendable {
    @usableFromInline var elements: [Element] = []

    /// An empty heap.
    @inlinable public init() {}

    /// The least element, if any.
    @inlinable public var first: Element? { elements.first }

    /// Adds `element`.
    @inlinable public mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child] < elements[parent] else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the least element, if any.
    @inlinable public mutating func pop() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let least = elements.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < elements.count && elements[left] < elements[smallest] { smallest = left }
            if right < elements.count && elements[right] < elements[smallest] { smallest = right }
            if smallest == parent { break }
            elements.swapAt(parent, smallest)
            parent = smallest
        }
        return least
    }
}
