extension Array where Element: Comparable {
    /// Reorders `self[range]` so that position `k` holds the element a sort
    /// would put there, with none greater before it and none smaller after it
    /// (quickselect with a median-of-three pivot: linear time on average,
    /// where a sort would take n log n).
    mutating func select(_ k: Int, in range: Range<Int>) {
        // Checked here in full: the buffer below is not.
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "select: \(range) is outside 0..<\(count)")
        precondition(range.contains(k), "select: \(k) is outside \(range)")
        // In the buffer: swapping array elements would check the array's uniqueness at every swap.
        withUnsafeMutableBufferPointer { $0.select(k, in: range) }
    }
}

extension UnsafeMutableBufferPointer where Element: Comparable {
    /// ``Swift/Array/select(_:in:)`` in place.
    fileprivate func select(_ k: Int, in range: Range<Int>) {
        var low = range.lowerBound, high = range.upperBound - 1
        while low < high {
            let middle = low + (high - low) / 2
            if self[middle] < self[low] { swapAt(middle, low) }
            if self[high] < self[low] { swapAt(high, low) }
            if self[high] < self[middle] { swapAt(high, middle) }
            let pivot = self[middle]
            var i = low, j = high
            while i <= j {
                while self[i] < pivot { i += 1 }
                while pivot < self[j] { j -= 1 }
                if i <= j {
                    swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now self[low...j] <= pivot <= self[i...high], and anything between equals the pivot.
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                return
            }
        }
    }
}
