import HeadroomCore

/// Changes one member of a JSON object's text and leaves every other byte as it was.
enum JSONObjectEdit {
    /// `object` with its member `name` set to `value`: the value replaced where the member
    /// is (every member of that name, should there be more than one), else a member added at the end.
    /// Unchanged when the member already holds exactly `value`'s text.
    static func setting(_ name: String, to value: JSONValue, in object: [UInt8]) throws(HeadroomError) -> [UInt8] {
        let members: [(name: String, value: Range<Int>)]
        do {
            members = try JSONParser.members(of: object)
        } catch {
            throw HeadroomError(.invalidJob, "The request body is not a JSON object.")
        }
        let text = value.jsonBytes
        let matching = members.filter { $0.name == name }.map(\.value)
        guard !matching.isEmpty else {
            // Before the closing brace, after the last member if there is one.
            let close = object.lastIndex(of: UInt8(ascii: "}")) ?? object.endIndex
            var edited = Array(object[..<close])
            if !members.isEmpty { edited.append(UInt8(ascii: ",")) }
            edited += JSONValue.string(name).jsonBytes + [UInt8(ascii: ":")] + text
            edited += object[close...]
            return edited
        }
        if matching.allSatisfy({ object[$0].elementsEqual(text) }) { return object }
        var edited = object
        for range in matching.reversed() { edited.replaceSubrange(range, with: text) }
        return edited
    }
}

