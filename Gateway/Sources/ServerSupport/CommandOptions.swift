import Foundation

/// A command line of `--name value` options, each named at most once, checked
/// against the names a command knows.
///
/// ```swift
/// let options = try CommandOptions(["--port", "9000"], known: ["--port", "--config"])
/// let port = try options.integer("--port") ?? 9000
/// ```
public struct CommandOptions: Sendable {
    /// A command line that cannot be understood; the message says what to change.
    public struct Problem: Error, CustomStringConvertible {
        /// What is wrong, and what to do.
        public var description: String

        /// Describes a problem.
        public init(description: String) {
            self.description = description
        }
    }

    private var values: [String: String] = [:]

    /// Reads `arguments` (without the program's name).
    public init(_ arguments: some Sequence<String>, known: Set<String>) throws(Problem) {
        var iterator = arguments.makeIterator()
        while let name = iterator.next() {
            guard known.contains(name) else {
                throw Problem(description: "unknown option '\(name)'; the options are \(known.sorted().joined(separator: ", ")).")
            }
            guard let value = iterator.next() else { throw Problem(description: "\(name) needs a value.") }
            guard values.updateValue(value, forKey: name) == nil else { throw Problem(description: "\(name) is given twice.") }
        }
    }

    /// The value given for `name`, if any.
    public subscript(name: String) -> String? { values[name] }

    /// The integer given for `name`, if any.
    public func integer(_ name: String) throws(Problem) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text) else { throw Problem(description: "\(name) is '\(text)'; it must be a whole number.") }
        return value
    }

    /// The number given for `name`, if any.
    public func number(_ name: String) throws(Problem) -> Double? {
        guard let text = values[name] else { return nil }
        guard let value = Double(text), value.isFinite else { throw Problem(description: "\(name) is '\(text)'; it must be a number.") }
        return value
    }
}

/// Writes `message` and a newline to standard output at once, unbuffered, so
/// that a script reading the output sees it while the server runs.
public func printLine(_ message: String) {
    FileHandle.standardOutput.write(Data((message + "\n").utf8))
}

/// Writes `message` and a newline to standard error.
public func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Runs a command's `body`; on an error, reports it on standard error after
/// the command's name and exits: with 2 and the usage for a command line that
/// cannot be understood, with 1 for anything else.
///
/// ```swift
/// await runCommand("headroom-mock", usage: usage) {
///     let options = try CommandOptions(CommandLine.arguments.dropFirst(), known: ["--port"])
///     ...
/// }
/// ```
public func runCommand(_ name: String, usage: String, _ body: () async throws -> Void) async {
    do {
        try await body()
    } catch let problem as CommandOptions.Problem {
        printError("\(name): \(problem)\n\(usage)")
        exit(2)
    } catch {
        printError("\(name): \(error)")
        exit(1)
    }
}
