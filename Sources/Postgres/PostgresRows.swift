/// The rows a statement returned, copied out of libpq's result so they outlive it.
public struct PostgresRows: Sendable, Sequence {
    /// Column names, in order.
    public let columns: [String]
    /// The rows.
    public let rows: [PostgresRow]
    /// The number of rows the statement affected (`INSERT`, `UPDATE`, `DELETE`, `COPY`…), when it says.
    public let affectedRows: Int

    public init(columns: [String], rows: [PostgresRow], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    public func makeIterator() -> IndexingIterator<[PostgresRow]> { rows.makeIterator() }
    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }
    public var first: PostgresRow? { rows.first }

    /// Every row decoded as the given tuple of types: `try rows.decode((String, Decimal?).self)`.
    @inlinable
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> [(repeat each T)] {
        try rows.map { try $0.decode(types) }
    }

    /// The single value of a single-row, single-column result.
    public func scalar<T: PostgresDecodable>(_ type: T.Type) throws -> T {
        guard let row = rows.first else {
            throw PostgresError(code: .decoding, message: "expected one row, got none")
        }
        return try row.decode(T.self, at: 0)
    }
}

/// One row: column names and text-format values (`nil` for NULL).
public struct PostgresRow: Sendable {
    /// Column names, shared with the other rows of the result.
    public let columns: [String]
    /// Text-format values.
    public let values: [String?]

    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the column at `index` as `T`; the error names the column and the type.
    ///
    /// Inlinable, as is the tuple form below: called from another module, an unspecialized call looked up
    /// the types' metadata at run time for every row (`swift_getGenericMetadata` was a tenth of the samples
    /// while an export read its open alerts). A medium `export --pledge p-000001`, which reads every
    /// pledge and open alert: 113.6 → 108.1 ms, medians of twelve alternated runs.
    @inlinable
    public func decode<T: PostgresDecodable>(_ type: T.Type, at index: Int) throws -> T {
        if values.indices.contains(index) {
            if let text = values[index] {
                if let value = T(postgresText: text) { return value }
            } else if let null = T.decodedNull {
                return null
            }
        }
        throw decodingError(T.self, at: index)
    }

    /// Why the column at `index` did not decode as `type`.
    @usableFromInline
    func decodingError<T>(_ type: T.Type, at index: Int) -> PostgresError {
        guard values.indices.contains(index) else {
            return PostgresError(
                code: .decoding, message: "column index \(index) out of range: the row has \(values.count) columns")
        }
        let column = columns[index]
        if values[index] == nil {
            return PostgresError(code: .decoding, message: "column \"\(column)\" is NULL, expected \(T.self)", column: column)
        }
        return PostgresError(code: .decoding, message: "column \"\(column)\" could not be decoded as \(T.self)", column: column)
    }

    /// The value of the named column as `T`.
    public func decode<T: PostgresDecodable>(_ type: T.Type, column name: String) throws -> T {
        guard let index = columns.firstIndex(of: name) else {
            throw PostgresError(code: .decoding, message: "no column named \"\(name)\"", column: name)
        }
        return try decode(type, at: index)
    }

    /// The row as a tuple of types, columns taken in order: `try row.decode((Int, String).self)`.
    @inlinable
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var index = 0
        func next<U: PostgresDecodable>(_ type: U.Type) throws -> U {
            defer { index += 1 }
            return try decode(type, at: index)
        }
        var arity = 0
        for _ in repeat (each T).self { arity += 1 }
        guard arity == values.count else {
            throw PostgresError(
                code: .decoding, message: "the row has \(values.count) columns, but \(arity) types were asked for")
        }
        return (repeat try next((each T).self))
    }
}
