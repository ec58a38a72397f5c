#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import HeadroomCore
import HeadroomTokenizers

/// Tokenizer throughput per encoding and strategy, the estimators' error
/// against the exact counts, and the time to load each vocabulary.
///
/// The corpus is FILE, or by default the one `build_corpus.sh` in the project's
/// shared tokenizer folder makes: Debian's Python 3.11 standard library modules
/// and common licences, concatenated in C-locale order.
enum TokenizerBenchmark {
    static func run(arguments: [String]) {
        let text: String
        do {
            switch arguments.first {
            case nil: text = try defaultCorpus()
            case "multilingual"?: text = try multilingualCorpus()
            case let path?: text = try readCorpus(path: path)
            }
        } catch {
            print("error: \(error)")
            exit(1)
        }
        let megabytes = Double(text.utf8.count) / 1e6
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("tokenizer: \(Table.format(megabytes, 2)) MB corpus, best of 5, CPU time on one core (wall time on \(cores) for the last exact row); "
              + "errors over 2 KB chunks")
        print(Table.pad("encoding", 13) + Table.pad("strategy", 26) + Table.pad("MB/s", 10) + Table.pad("mean err", 10) + Table.pad("p95 err", 10) + "tokens")
        var rows: [String] = []
        for encoding in BPETokenizer.Encoding.allCases {
            let loadStart = ContinuousClock.now
            let exact = try! BPETokenizer.load(encoding)
            let loadMilliseconds = seconds(ContinuousClock.now - loadStart) * 1000
            let chunks = split(text, size: 2_000)
            let exactCounts = chunks.map(exact.count)
            var total = 0
            let encodeSpeed = megabytes / best { total = exact.encodeOrdinary(text).count }
            let countSpeed = megabytes / best { total = exact.count(text) }
            let parallelSpeed = megabytes / best(clock: .wall) { total = exact.count(text, threads: cores) }
            for (strategy, speed) in [("exact encode", encodeSpeed), ("exact count", countSpeed), ("exact count, \(cores) threads", parallelSpeed)] {
                print(Table.pad(encoding.rawValue, 13) + Table.pad(strategy, 26) + Table.pad(Table.format(speed, 1), 10)
                      + Table.pad("0", 10) + Table.pad("0", 10) + "\(total)")
                rows.append("{\"encoding\":\"\(encoding.rawValue)\",\"strategy\":\"\(strategy)\",\"mbPerSecond\":\(Table.format(speed, 2))}")
            }
            let estimates: [(String, any Tokenizer)] = [
                ("class estimate", ClassEstimate(encoding == .cl100k ? .cl100k : .o200k)),
                ("bytes / 4", ByteEstimate()), ("characters / 4", CharacterEstimate()),
            ]
            for (name, estimate) in estimates {
                var estimated = 0
                // Bytes / 4 reads a length the string keeps: its time does not grow with the text, so no rate.
                let speed = estimate is ByteEstimate ? nil : megabytes / best { estimated = estimate.count(text) }
                if speed == nil { estimated = estimate.count(text) }
                let errors = zip(chunks, exactCounts).map { chunk, exact in
                    Double(abs(estimate.count(chunk) - exact)) / Double(max(1, exact))
                }.sorted()
                let mean = errors.reduce(0, +) / Double(errors.count)
                let p95 = errors[Int((0.95 * Double(errors.count)).rounded(.up)) - 1]
                print(Table.pad(encoding.rawValue, 13) + Table.pad(name, 26) + Table.pad(speed.map { Table.format($0, 1) } ?? "constant", 10)
                      + Table.pad(Table.format(mean * 100, 1) + "%", 10) + Table.pad(Table.format(p95 * 100, 1) + "%", 10) + "\(estimated)")
                rows.append("{\"encoding\":\"\(encoding.rawValue)\",\"strategy\":\"\(name)\",\"mbPerSecond\":\(speed.map { Table.format($0, 2) } ?? "null"),"
                            + "\"meanError\":\(Table.format(mean, 4)),\"p95Error\":\(Table.format(p95, 4))}")
            }
            rows.append("{\"encoding\":\"\(encoding.rawValue)\",\"strategy\":\"load\",\"loadMilliseconds\":\(Table.format(loadMilliseconds, 1))}")
            print(Table.pad(encoding.rawValue, 13) + "vocabulary loaded in \(Table.format(loadMilliseconds, 1)) ms")
        }
        print("{\"benchmark\":\"tokenizer\",\"corpusBytes\":\(text.utf8.count),\"results\":[\(rows.joined(separator: ","))]}")
    }

    /// What a timing reads: the process's CPU time (one thread's work), or the wall clock.
    enum Clock { case cpu, wall }

    /// The fastest of five runs of `body`, in seconds of `clock`.
    static func best(clock: Clock = .cpu, _ body: () -> Void) -> Double {
        (0 ..< 5).map { _ in
            let start = now(clock)
            body()
            return now(clock) - start
        }.min()!
    }

    static func now(_ clock: Clock) -> Double {
        var time = timespec()
        clock_gettime(clock == .cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// The multilingual corpus written for this benchmark (Benchmarks/Corpus/multilingual.txt, from
    /// the package's folder), 150 times over: about 1.2 MB.
    static func multilingualCorpus() throws -> String {
        let one = try readCorpus(path: "Benchmarks/Corpus/multilingual.txt")
        return String(repeating: one, count: multilingualRepeats)
    }

    /// How many times the multilingual corpus is repeated (the comparison script repeats it as often).
    static let multilingualRepeats = 150

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// `text` cut at line ends into chunks of about `size` bytes.
    static func split(_ text: String, size: Int) -> [String] {
        var chunks: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            current += line + "\n"
            if current.utf8.count >= size {
                chunks.append(current)
                current = ""
            }
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    static func readCorpus(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw HeadroomError(.invalidConfiguration, "Cannot read '\(path)' as UTF-8 text.")
        }
        return text
    }

    /// What build_corpus.sh concatenates: /usr/lib/python3.11/*.py, then /usr/share/common-licenses/*, each in C-locale order.
    static func defaultCorpus() throws -> String {
        let files = FileManager.default
        func sorted(_ folder: String, _ keep: (String) -> Bool) -> [String] {
            ((try? files.contentsOfDirectory(atPath: folder)) ?? []).filter(keep)
                .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { folder + "/" + $0 }
        }
        let paths = sorted("/usr/lib/python3.11") { $0.hasSuffix(".py") } + sorted("/usr/share/common-licenses") { _ in true }
        guard !paths.isEmpty else {
            throw HeadroomError(.invalidConfiguration, "No default corpus on this machine (Debian's /usr/lib/python3.11 and /usr/share/common-licenses); give a FILE.")
        }
        var bytes = Data()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = files.contents(atPath: path) else { continue }
            bytes.append(data)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
