using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Core.Text;
using Renkei.Infrastructure;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Registry;

/// <summary>What to do when some rows of a file are malformed.</summary>
public enum ImportMode
{
    /// <summary>Import the good rows and report the bad ones.</summary>
    SkipBadRows,
    /// <summary>Any bad row refuses the whole file: nothing is imported (one transaction).</summary>
    RefuseFile,
}

/// <summary>Text encoding of an import file.</summary>
public enum ImportEncoding
{
    /// <summary>UTF-8 when the file has a UTF-8 byte-order mark or decodes as UTF-8, otherwise Shift_JIS.</summary>
    Auto,
    Utf8,
    ShiftJis,
}

public sealed record RegisterImportOptions(ImportMode Mode = ImportMode.SkipBadRows, ImportEncoding Encoding = ImportEncoding.Auto, int BatchSize = 20_000);

/// <summary>
/// One rejected row: its line in the file (for <see cref="RegisterImporter.Import"/>, the 1-based
/// position in the sequence) and what was wrong. Never contains a number's digits.
/// </summary>
public sealed record ImportProblem(long Line, string Message)
{
    public override string ToString() => $"line {Line}: {Message}";
}

public sealed record RegisterImportResult(
    long RowsRead,
    long Imported,
    long Rejected,
    bool FileRefused,
    string Encoding,
    IReadOnlyList<ImportProblem> Problems);

/// <summary>
/// Loads an existing register (<c>renkei registry import</c>): the CSV described on
/// <see cref="RegisterImportRecord"/>, or records produced in memory by the demo generator.
/// Rows are inserted with prepared statements in large transactions; a resident-record code or an
/// individual number that is already on the register is refused with a reason, never duplicated.
/// </summary>
public sealed class RegisterImporter(ResidentRegister register)
{
    /// <summary>At most this many problems are listed; <see cref="RegisterImportResult.Rejected"/> counts them all.</summary>
    public const int MaxListedProblems = 10_000;

    static RegisterImporter() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding ShiftJis => Encoding.GetEncoding(932);

    public RegisterImportResult ImportCsv(string path, RegisterImportOptions? options = null)
    {
        using var stream = File.OpenRead(path);
        return ImportCsv(stream, options, Path.GetFileName(path));
    }

    public RegisterImportResult ImportCsv(Stream csv, RegisterImportOptions? options = null, string source = "csv")
    {
        options ??= new RegisterImportOptions();
        Stream buffered = csv.CanSeek ? csv : new ReplayableStream(csv); // e.g. standard input: the sniffed prefix is read again
        var encoding = DetectEncoding(buffered, options.Encoding);
        if (buffered is ReplayableStream replayable) replayable.StopRecording();
        using var text = new StreamReader(buffered, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
        var reader = new CsvReader(text);
        var fields = new List<string>(16);
        var problems = new ProblemList();

        if (!reader.TryRead(fields, out _))
            return Refused(problems.Add(1, "the file is empty; a header row is required (ヘッダー行がありません)"), encoding);
        if (fields.Count > 0 && fields[0].Length > 0 && fields[0][0] == '\uFEFF') fields[0] = fields[0][1..];
        var headerError = CheckHeader(fields);
        if (headerError is not null)
            return Refused(problems.Add(1, headerError), encoding);

        IEnumerable<(long Line, RegisterImportRecord Record)> GoodRows()
        {
            while (reader.TryRead(fields, out var line))
            {
                if (fields.Count == 1 && fields[0].Length == 0 && reader.Error is null) continue; // blank line
                var record = ParseRow(fields, reader.Error, out var error);
                if (record is null) { problems.Add(line, error!); continue; }
                yield return (line, record);
            }
        }

        var outcome = Write(GoodRows(), options.Mode, options.BatchSize, problems, source, progress: null);
        return new RegisterImportResult(outcome.Read + problems.Count - outcome.Rejected, outcome.Refused ? 0 : outcome.Imported,
            problems.Count, outcome.Refused, EncodingName(encoding), problems.Items);

        RegisterImportResult Refused(ProblemList list, Encoding used) =>
            new(0, 0, list.Count, true, EncodingName(used), list.Items);
    }

    /// <summary>
    /// The fast path for records already parsed (demo generator, benchmark): one transaction per
    /// <paramref name="batchSize"/> rows. Records whose code or number is already on the register are
    /// skipped and reported by their 1-based position.
    /// </summary>
    public RegisterImportResult Import(IEnumerable<RegisterImportRecord> records, int batchSize = 20_000, IProgress<long>? progress = null)
    {
        var problems = new ProblemList();
        long position = 0;
        var outcome = Write(records.Select(r => (++position, r)), ImportMode.SkipBadRows, batchSize, problems, "records", progress);
        return new RegisterImportResult(outcome.Read, outcome.Imported, problems.Count, false, "", problems.Items);
    }

    private (long Read, long Imported, long Rejected, bool Refused) Write(
        IEnumerable<(long Line, RegisterImportRecord Record)> rows, ImportMode mode, int batchSize, ProblemList problems,
        string source, IProgress<long>? progress)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize));
        var database = register.Database;
        long read = 0, imported = 0, rejectedHere = 0;
        using var connection = database.Open();
        if (database.Provider == DatabaseProvider.Sqlite) connection.Execute("PRAGMA cache_size = -131072"); // 128 MiB for index pages
        var transaction = connection.BeginTransaction(IsolationLevel.Serializable);
        var inserter = new ResidentInserter(connection, transaction, DateOnly.FromDateTime(DateTime.Today));
        var inBatch = 0;
        try
        {
            foreach (var (line, record) in rows)
            {
                read++;
                var rejection = inserter.Insert(record);
                if (rejection is not null)
                {
                    problems.Add(line, rejection);
                    rejectedHere++;
                    continue;
                }
                imported++;
                if (mode == ImportMode.SkipBadRows && ++inBatch >= batchSize)
                {
                    inserter.CreateHouseholds();
                    transaction.Commit();
                    transaction.Dispose();
                    progress?.Report(imported);
                    transaction = connection.BeginTransaction(IsolationLevel.Serializable);
                    inserter.Rebind(transaction);
                    inBatch = 0;
                }
            }

            var refused = mode == ImportMode.RefuseFile && problems.Count > 0;
            if (!refused) inserter.CreateHouseholds();
            if (refused)
            {
                transaction.Rollback();
                transaction.Dispose();
                transaction = connection.BeginTransaction(IsolationLevel.Serializable);
            }
            connection.Command("INSERT INTO register_imports (imported_at, source, rows_imported, rows_rejected) VALUES (@at, @source, @ok, @bad)", transaction)
                .With("@at", ResidentRegister.Now()).With("@source", source).With("@ok", refused ? 0 : imported).With("@bad", problems.Count)
                .ExecuteNonQuery();
            transaction.Commit();
            progress?.Report(refused ? 0 : imported);
            return (read, imported, rejectedHere, refused);
        }
        finally
        {
            inserter.Dispose();
            transaction.Dispose();
        }
    }

    // ---------------------------------------------------------------- parsing

    internal static Encoding DetectEncoding(Stream stream, ImportEncoding requested)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        if (requested == ImportEncoding.Utf8) return utf8;
        if (requested == ImportEncoding.ShiftJis) return ShiftJis;
        if (!stream.CanSeek) throw new ArgumentException("automatic encoding detection needs a seekable stream; name the encoding", nameof(stream));
        var start = stream.Position;
        var prefix = new byte[256 * 1024];
        var length = 0;
        int n;
        while (length < prefix.Length && (n = stream.Read(prefix, length, prefix.Length - length)) > 0) length += n;
        stream.Position = start;
        return Detect(prefix, length);
    }

    private static Encoding Detect(byte[] prefix, int length)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        if (length >= 3 && prefix[0] == 0xEF && prefix[1] == 0xBB && prefix[2] == 0xBF) return utf8;
        // A multi-byte character may be cut at the end of the prefix: drop an incomplete tail.
        var end = length;
        if (length == prefix.Length)
        {
            var back = 0;
            while (back < 3 && end > 0 && (prefix[end - 1] & 0xC0) == 0x80) { end--; back++; }
            if (end > 0 && prefix[end - 1] >= 0xC0) end--;
        }
        try
        {
            utf8.GetCharCount(prefix, 0, end);
            return utf8;
        }
        catch (DecoderFallbackException)
        {
            return ShiftJis;
        }
    }

    private static string EncodingName(Encoding encoding) => encoding.CodePage == 932 ? "shift_jis" : "utf-8";

    private static string? CheckHeader(List<string> header)
    {
        var expected = RegisterImportRecord.CsvColumns;
        if (header.Count != expected.Length)
            return $"the header has {header.Count} columns, expected {expected.Length}: {string.Join(",", expected)} (ヘッダー行の列数が違います)";
        for (var i = 0; i < expected.Length; i++)
            if (!string.Equals(header[i].Trim(), expected[i], StringComparison.OrdinalIgnoreCase))
                return $"header column {i + 1} is not \"{expected[i]}\" (ヘッダー行の列名が違います)";
        return null;
    }

    /// <summary>Parses and checks one data row. Messages name the column and the problem, never a number's digits.</summary>
    internal static RegisterImportRecord? ParseRow(List<string> f, string? structuralError, out string? error)
    {
        var errors = new List<string>();
        if (structuralError is not null) errors.Add(structuralError);
        var expected = RegisterImportRecord.CsvColumns.Length;
        if (f.Count != expected)
        {
            errors.Add($"the row has {f.Count} columns, expected {expected} (列数が違います)");
            error = string.Join("; ", errors);
            return null;
        }

        var household = f[0].Trim();
        if (household.Length is 0 or > 12 || !household.All(char.IsAsciiDigit))
            errors.Add("household_number: expected 1 to 12 digits (世帯番号が不正です)");

        var codeResult = ResidentCode.Parse(f[1]);
        if (!codeResult.IsValid) errors.Add("resident_code: " + codeResult.Error!.Message);

        var familyName = RequiredText(f[2], "family_name", errors);
        var givenName = RequiredText(f[3], "given_name", errors);
        var familyKana = Kana(f[4], "family_name_kana", errors);
        var givenKana = Kana(f[5], "given_name_kana", errors);
        var birth = Date(f[6], "birth_date", errors);
        if (!SexText.TryParse(f[7], out var sex)) errors.Add("sex: expected 1 (男) or 2 (女) (性別が不正です)");
        if (!RelationshipText.TryParse(f[8], out var relationship)) errors.Add("relationship: unknown 続柄 (続柄が不明です)");
        var address = RequiredText(f[9], "address", errors);
        var since = Date(f[10], "resident_since", errors);
        if (birth is { } b && since is { } s && s < b) errors.Add("resident_since: before the birth date (住民となった年月日が生年月日より前です)");

        var foreignText = f[11].Trim();
        var foreign = foreignText == "1";
        if (foreignText is not ("0" or "1")) errors.Add("foreign_resident: expected 0 or 1 (外国人住民の区分が不正です)");
        var nationality = string.IsNullOrWhiteSpace(f[12]) ? null : f[12].Trim();
        if (nationality is not null) RefuseFormula(nationality, "nationality", errors);
        if (foreignText == "1" && nationality is null) errors.Add("nationality: required for a foreign resident (国籍・地域がありません)");
        if (foreignText == "0" && nationality is not null) errors.Add("nationality: only for foreign residents (日本人住民に国籍・地域は記載しません)");
        if (nationality is not null && RegisterInputRules.CheckText(nationality, "nationality") is { } nationalityProblem) errors.Add(nationalityProblem.Message);

        IndividualNumber? number = null;
        if (!string.IsNullOrWhiteSpace(f[13]))
        {
            var numberResult = IndividualNumber.Parse(f[13]);
            if (numberResult.IsValid) number = numberResult.Value;
            else errors.Add("individual_number: " + numberResult.Error!.Message);
        }

        if (errors.Count > 0)
        {
            error = string.Join("; ", errors);
            return null;
        }
        error = null;
        return new RegisterImportRecord(household, codeResult.Value, familyName!, givenName!, familyKana!, givenKana!, birth!.Value, sex,
            relationship, address!, since!.Value, foreign, nationality, number);
    }

    private static string? RequiredText(string value, string column, List<string> errors)
    {
        var trimmed = value.Trim();
        if (trimmed.Length == 0) { errors.Add($"{column}: empty (未記入です)"); return null; }
        if (trimmed.Any(char.IsControl)) { errors.Add($"{column}: contains a control character or line break (制御文字が含まれています)"); return null; }
        if (RegisterInputRules.CheckText(trimmed, column) is { } problem) { errors.Add(problem.Message); return null; }
        return RefuseFormula(trimmed, column, errors) ? null : trimmed;
    }

    /// <summary>
    /// A register holds no text that a spreadsheet would run as a formula (=, +, -, @ … first, see <see cref="CsvCell"/>):
    /// such a row is refused rather than changed, naming the column, never the cell.
    /// </summary>
    private static bool RefuseFormula(string text, string column, List<string> errors)
    {
        if (!CsvCell.LooksLikeFormula(text)) return false;
        errors.Add($"{column}: begins with =, +, -, @ or a tab, which a spreadsheet would run as a formula (数式として扱われる文字で始まっています)");
        return true;
    }

    private static string? Kana(string value, string column, List<string> errors)
    {
        var text = RequiredText(value, column, errors);
        if (text is null) return null;
        foreach (var c in text)
            if (c is not ((>= '\u30A1' and <= '\u30FC') or '\u3000' or ' '))
            {
                errors.Add($"{column}: only full-width katakana is allowed (フリガナは全角カタカナで記入してください)");
                return null;
            }
        return text;
    }

    private static DateOnly? Date(string value, string column, List<string> errors)
    {
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            if (RegisterInputRules.CheckDate(date, column, DateOnly.FromDateTime(DateTime.Today)) is not { } problem) return date;
            errors.Add(problem.Message);
            return null;
        }
        errors.Add($"{column}: expected a date as YYYY-MM-DD (日付が不正です)");
        return null;
    }

    private sealed class ProblemList
    {
        private readonly List<ImportProblem> _items = [];
        public long Count { get; private set; }
        public IReadOnlyList<ImportProblem> Items => _items;

        public ProblemList Add(long line, string message)
        {
            Count++;
            if (_items.Count < MaxListedProblems) _items.Add(new ImportProblem(line, message));
            return this;
        }
    }
}

/// <summary>
/// A forward-only stream that can rewind once to the start while recording, so encoding detection
/// can read a prefix of standard input and the importer then reads everything from the beginning.
/// </summary>
internal sealed class ReplayableStream(Stream inner) : Stream
{
    private readonly MemoryStream _recorded = new();
    private bool _recording = true;
    private long _replayPosition = -1;

    public void StopRecording() => _recording = false;

    public override bool CanRead => true;
    public override bool CanSeek => _recording;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _replayPosition >= 0 ? _replayPosition : _recorded.Length;
        set
        {
            if (!_recording || value < 0 || value > _recorded.Length) throw new NotSupportedException("only a rewind into the recorded prefix is possible");
            _replayPosition = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_replayPosition >= 0 && _replayPosition < _recorded.Length)
        {
            var available = (int)Math.Min(count, _recorded.Length - _replayPosition);
            Array.Copy(_recorded.GetBuffer(), _replayPosition, buffer, offset, available);
            _replayPosition += available;
            if (_replayPosition == _recorded.Length && !_recording) { _replayPosition = -1; _recorded.SetLength(0); }
            return available;
        }
        _replayPosition = -1;
        var read = inner.Read(buffer, offset, count);
        if (_recording) _recorded.Write(buffer, offset, read);
        return read;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// Inserts residents with prepared statements on one connection. Households are created per batch
/// (<see cref="CreateHouseholds"/>); a number (if the record has one) starts the number history.
/// </summary>
internal sealed class ResidentInserter : IDisposable
{
    private readonly DbCommand _resident;
    private readonly DbCommand _residentReturningId;
    private readonly DbCommand _household;
    private readonly DbCommand _outbox;
    private readonly DbCommand _numberExists;
    private readonly DbCommand _number;
    private readonly DbParameter[] _p;
    private readonly DbParameter[] _pr;
    private readonly DbCommand _lastId;
    private readonly DbParameter _householdsFrom, _outboxFrom, _numberExistsValue, _numberResident, _numberValue, _numberFrom;
    private readonly string _today;

    private const string Columns = "resident_code, family_name, given_name, family_name_kana, given_name_kana, birth_date, sex, " +
        "address, household_number, relationship, resident_since, status, foreign_resident, nationality, " +
        "search_name, search_given_name, search_kana, search_given_kana";
    private const string Values = "@code, @fn, @gn, @fk, @gk, @birth, @sex, @address, @household, @rel, @since, 0, @foreign, @nat, @sn, @sgn, @sk, @sgk";
    private const string FastValues = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, ?12, ?13, ?14, ?15, ?16, ?17";

    private readonly SqliteFastStatement? _fast;

    public ResidentInserter(DbConnection connection, DbTransaction transaction, DateOnly today)
    {
        _today = ResidentRegister.FormatDate(today);
        if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite)
            _fast = new SqliteFastStatement(sqlite, $"INSERT INTO residents ({Columns}) VALUES ({FastValues}) ON CONFLICT DO NOTHING");
        _resident = connection.Command($"INSERT INTO residents ({Columns}) VALUES ({Values}) ON CONFLICT DO NOTHING", transaction);
        _residentReturningId = connection.Command($"INSERT INTO residents ({Columns}) VALUES ({Values}) ON CONFLICT DO NOTHING RETURNING id", transaction);
        _p = AddResidentParameters(_resident);
        _pr = AddResidentParameters(_residentReturningId);
        _lastId = connection.Command("SELECT COALESCE(MAX(id), 0) FROM residents", transaction);
        _household = connection.Command("""
            INSERT INTO households (household_number, created_on)
            SELECT DISTINCT household_number, @on FROM residents WHERE id > @from ON CONFLICT DO NOTHING
            """, transaction);
        _householdsFrom = _household.Parameter("@from", DbType.Int64);
        _household.Parameter("@on", DbType.String).Value = _today;
        // The imported households' copies become due for the intermediate server in the same transaction (RegisterCopyOutbox).
        _outbox = connection.Command("""
            INSERT INTO register_copy_outbox (household_number, enqueued_at)
            SELECT DISTINCT household_number, @at FROM residents WHERE id > @from ORDER BY household_number
            """, transaction);
        _outboxFrom = _outbox.Parameter("@from", DbType.Int64);
        _outbox.Parameter("@at", DbType.String).Value = ResidentRegister.Now();
        _householdsFrom.Value = Convert.ToInt64(_lastId.ExecuteScalar(), CultureInfo.InvariantCulture);
        _numberExists = connection.Command("SELECT COUNT(*) FROM resident_numbers WHERE individual_number = @n", transaction);
        _numberExistsValue = _numberExists.Parameter("@n", DbType.Int64);
        _number = connection.Command("INSERT INTO resident_numbers (resident_id, individual_number, valid_from, reason) VALUES (@r, @n, @from, @reason)", transaction);
        _numberResident = _number.Parameter("@r", DbType.Int64);
        _numberValue = _number.Parameter("@n", DbType.Int64);
        _numberFrom = _number.Parameter("@from", DbType.String);
        _number.Parameter("@reason", DbType.String).Value = NumberReasons.Imported;
        foreach (var command in new[] { _resident, _residentReturningId, _household, _outbox, _numberExists, _number }) command.Prepare();
    }

    private static DbParameter[] AddResidentParameters(DbCommand c) =>
    [
        c.Parameter("@code", DbType.Int64),
        c.Parameter("@fn", DbType.String), c.Parameter("@gn", DbType.String), c.Parameter("@fk", DbType.String), c.Parameter("@gk", DbType.String),
        c.Parameter("@birth", DbType.String), c.Parameter("@sex", DbType.Int32), c.Parameter("@address", DbType.String),
        c.Parameter("@household", DbType.String), c.Parameter("@rel", DbType.Int32), c.Parameter("@since", DbType.String),
        c.Parameter("@foreign", DbType.Int32), c.Parameter("@nat", DbType.String),
        c.Parameter("@sn", DbType.String), c.Parameter("@sgn", DbType.String), c.Parameter("@sk", DbType.String), c.Parameter("@sgk", DbType.String),
    ];

    /// <summary>
    /// Creates the households of everyone inserted since the last call, with one set-based statement
    /// (cheaper than a statement per row). Call before every commit.
    /// </summary>
    public void CreateHouseholds()
    {
        _household.ExecuteNonQuery();
        _outboxFrom.Value = _householdsFrom.Value;
        _outbox.ExecuteNonQuery();
        _householdsFrom.Value = Convert.ToInt64(_lastId.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void Rebind(DbTransaction transaction)
    {
        foreach (var command in new[] { _resident, _residentReturningId, _household, _outbox, _numberExists, _number, _lastId }) command.Transaction = transaction;
    }

    /// <summary>Inserts the record, or returns why it was refused.</summary>
    public string? Insert(RegisterImportRecord r)
    {
        if (r.IndividualNumber is { } number)
        {
            _numberExistsValue.Value = number.ToInt64();
            if (Convert.ToInt64(_numberExists.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
                return "individual_number: already recorded on the register for someone (個人番号が既に登録されています)";
        }

        var keys = ResidentRegister.SearchKeys(r.FamilyName, r.GivenName, r.FamilyNameKana, r.GivenNameKana);
        if (r.IndividualNumber is null && _fast is not null)
        {
            _fast.Bind(1, r.ResidentCode.ToInt64());
            _fast.Bind(2, r.FamilyName);
            _fast.Bind(3, r.GivenName);
            _fast.Bind(4, r.FamilyNameKana);
            _fast.Bind(5, r.GivenNameKana);
            _fast.Bind(6, ResidentRegister.FormatDate(r.BirthDate));
            _fast.Bind(7, (int)r.Sex);
            _fast.Bind(8, r.Address);
            _fast.Bind(9, r.HouseholdNumber);
            _fast.Bind(10, (int)r.Relationship);
            _fast.Bind(11, ResidentRegister.FormatDate(r.ResidentSince));
            _fast.Bind(12, r.ForeignResident ? 1 : 0);
            _fast.Bind(13, r.Nationality);
            _fast.Bind(14, keys.Name);
            _fast.Bind(15, keys.GivenName);
            _fast.Bind(16, keys.Kana);
            _fast.Bind(17, keys.GivenKana);
            return _fast.Execute() == 0 ? DuplicateCode : null;
        }

        var p = r.IndividualNumber is null ? _p : _pr;
        p[0].Value = r.ResidentCode.ToInt64();
        p[1].Value = r.FamilyName;
        p[2].Value = r.GivenName;
        p[3].Value = r.FamilyNameKana;
        p[4].Value = r.GivenNameKana;
        p[5].Value = ResidentRegister.FormatDate(r.BirthDate);
        p[6].Value = (int)r.Sex;
        p[7].Value = r.Address;
        p[8].Value = r.HouseholdNumber;
        p[9].Value = (int)r.Relationship;
        p[10].Value = ResidentRegister.FormatDate(r.ResidentSince);
        p[11].Value = r.ForeignResident ? 1 : 0;
        p[12].Value = (object?)r.Nationality ?? DBNull.Value;
        p[13].Value = keys.Name;
        p[14].Value = keys.GivenName;
        p[15].Value = keys.Kana;
        p[16].Value = keys.GivenKana;

        if (r.IndividualNumber is null)
        {
            if (_resident.ExecuteNonQuery() == 0) return DuplicateCode;
        }
        else
        {
            var id = _residentReturningId.ExecuteScalar();
            if (id is null or DBNull) return DuplicateCode;
            _numberResident.Value = Convert.ToInt64(id, CultureInfo.InvariantCulture);
            _numberValue.Value = r.IndividualNumber.Value.ToInt64();
            _numberFrom.Value = ResidentRegister.FormatDate(r.ResidentSince);
            _number.ExecuteNonQuery();
        }

        return null;
    }

    private const string DuplicateCode = "resident_code: this person is already on the register (住民票コードが既に登録されています)";

    public void Dispose()
    {
        foreach (var command in new[] { _resident, _residentReturningId, _household, _outbox, _numberExists, _number, _lastId }) command.Dispose();
        _fast?.Dispose();
    }
}

/// <summary>Reasons recorded in the number history.</summary>
public static class NumberReasons
{
    public const string Imported = "既存住民基本台帳からの移行";
    public const string InitialAssignment = "初期一斉指定";
    public const string ReEntry = "国外からの再入国（同じ個人番号）";
    public const string Birth = "出生による指定";
    public const string ArrivalFromAbroad = "国外からの転入による指定";
    public const string CarriedOver = "転入（転出地市町村の個人番号を引継ぎ）";
    public const string Changed = "個人番号の変更";
}
