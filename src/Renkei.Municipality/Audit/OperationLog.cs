using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Renkei.Core.Text;
using Renkei.Core.Audit;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;

namespace Renkei.Municipality.Audit;

/// <summary>An entry as stored: its place in the log, when the log recorded it, and its hash (hex).</summary>
public sealed record OperationLogRecord(long Sequence, DateTimeOffset RecordedAt, OperationLogEntry Entry, string Hash);

/// <summary>Which entries to read or export. <see cref="From"/> ≤ <see cref="OperationLogEntry.At"/> &lt; <see cref="To"/>; null means no bound.</summary>
public sealed record OperationLogQuery(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? StaffId = null,
    long? SubjectAddresseeNumber = null,
    OperationAction? Action = null)
{
    public static OperationLogQuery All { get; } = new();

    public bool Matches(OperationLogEntry entry) =>
        (From is null || entry.At >= From)
        && (To is null || entry.At < To)
        && (StaffId is null || entry.StaffId == StaffId)
        && (SubjectAddresseeNumber is null || entry.SubjectAddresseeNumber == SubjectAddresseeNumber)
        && (Action is null || entry.Action == Action);
}

public enum OperationLogExportFormat { Csv, Json }

public sealed record OperationLogExportSummary(long Entries, long? FirstSequence, long? LastSequence);

/// <summary>
/// A municipality's operation log (操作記録): every view, search, export and change touching a number or specific
/// personal information, append-only and tamper-evident (DESIGN.md rule 8). It lives in the municipality's own database
/// as the audit log <c>operation_log</c> (see <see cref="AuditLogStore"/>), signed with the municipality's checkpoint key
/// under the identity <c>municipality/&lt;code&gt;/operation_log</c>.
/// <para>Each payload is canonical JSON (keys sorted, no whitespace) of the entry:
/// <c>{"action","affairCode","at","detail","result","staffId","subjectAddresseeNumber","terminal","v":1}</c> with
/// <c>at</c> in UTC to the microsecond (<c>2026-04-01T00:00:00.000000Z</c>) and action and result in camelCase.</para>
/// <para>Reading filters by parsing every entry in order (one sequential pass); exports show times in Japan Standard
/// Time (+09:00).</para>
/// </summary>
public sealed class OperationLog : IAsyncDisposable, IDisposable
{
    public const string TableName = "operation_log";
    public const int PayloadVersion = 1;

    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);
    private ECDsa? _ownedKey; // the key Open loaded, disposed with the log

    /// <param name="signingKey">the municipality's checkpoint key; null opens the log for reading, exporting and verifying only (then <paramref name="publicKey"/> is required)</param>
    public OperationLog(Database database, LocalGovernmentCode municipality, ECDsa? signingKey, AuditCheckpointVerifier? publicKey = null,
        AuditLogOptions? options = null, TimeProvider? clock = null)
    {
        Municipality = municipality;
        Identity = IdentityOf(municipality);
        AuditCheckpointSigner? signer = null;
        if (signingKey is not null)
        {
            signer = new AuditCheckpointSigner(Identity, signingKey);
            PublicKey = publicKey ?? signer.Verifier();
        }
        else
        {
            PublicKey = publicKey ?? throw new ArgumentException("a log opened without its signing key needs the public key to verify", nameof(publicKey));
        }
        if (PublicKey.LogIdentity != Identity) throw new ArgumentException("the public key verifier is for another log", nameof(publicKey));
        Store = new AuditLogStore(database, TableName, signer, options, clock);
    }

    public LocalGovernmentCode Municipality { get; }
    public string Identity { get; }
    public AuditLogStore Store { get; }
    public AuditCheckpointVerifier PublicKey { get; }

    public static string IdentityOf(LocalGovernmentCode municipality) => $"municipality/{municipality.Digits}/{TableName}";

    /// <summary>Opens the log for writing: the signing key at <paramref name="signingKeyPath"/> (created on first use, mode 600, public key beside it) and the tables (created if missing).</summary>
    public static OperationLog Open(Database database, LocalGovernmentCode municipality, string signingKeyPath, AuditLogOptions? options = null, TimeProvider? clock = null)
    {
        var key = AuditSigningKeyFile.LoadOrCreate(signingKeyPath);
        var log = new OperationLog(database, municipality, key, publicKey: null, options, clock) { _ownedKey = key };
        try
        {
            log.Store.EnsureSchema();
            return log;
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    /// <summary>Opens the log for auditors: read, export and verify with the published public key (PEM). Creates nothing.</summary>
    public static OperationLog OpenForAudit(Database database, LocalGovernmentCode municipality, string publicKeyPem) =>
        new(database, municipality, null, AuditCheckpointVerifier.FromPem(IdentityOf(municipality), publicKeyPem));

    public OperationLogRecord Append(OperationLogEntry entry) => ToRecord(Store.Append(Serialize(entry)), entry);

    /// <summary>Through the group-commit writer: the way to record from many concurrent requests.</summary>
    public async Task<OperationLogRecord> AppendAsync(OperationLogEntry entry, CancellationToken cancellationToken = default) =>
        ToRecord(await Store.AppendAsync(Serialize(entry), cancellationToken), entry);

    /// <summary>Records all the entries, in order, in one transaction; if any is invalid, none is recorded.</summary>
    public IReadOnlyList<OperationLogRecord> AppendMany(IEnumerable<OperationLogEntry> entries)
    {
        var list = entries.ToList();
        var payloads = new List<byte[]>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            try { payloads.Add(Serialize(list[i])); }
            catch (OperationLogException invalid) { throw new OperationLogException($"entry {i + 1} of {list.Count}: {invalid.Message}"); }
        }
        var stored = Store.AppendBatch(payloads);
        return stored.Select((e, i) => ToRecord(e, list[i])).ToList();
    }

    /// <summary>A signed checkpoint at the current head, for an auditor to keep (null when the log is empty).</summary>
    public AuditCheckpoint? Checkpoint() => Store.Checkpoint();

    public AuditVerification Verify(AuditHead? expectedHead = null) => Store.Verify(PublicKey, expectedHead);

    /// <summary>Entries matching <paramref name="query"/>, in log order, streamed.</summary>
    public IEnumerable<OperationLogRecord> Read(OperationLogQuery? query = null, long fromSequence = 1, long toSequence = long.MaxValue)
    {
        query ??= OperationLogQuery.All;
        foreach (var stored in Store.ReadEntries(fromSequence, toSequence))
        {
            var entry = Deserialize(stored.Sequence, stored.Payload);
            if (query.Matches(entry)) yield return ToRecord(stored, entry);
        }
    }

    public OperationLogExportSummary Export(Stream output, OperationLogExportFormat format, OperationLogQuery? query = null) =>
        format == OperationLogExportFormat.Csv ? ExportCsv(output, query) : ExportJson(output, query);

    /// <summary>CSV columns (UTF-8, RFC 4180, CRLF); text that a spreadsheet would run as a formula gets a leading apostrophe (<see cref="CsvCell"/>).</summary>
    public static readonly string[] CsvColumns =
    [
        "sequence", "recorded_at", "at", "staff_id", "terminal", "affair_code", "subject_addressee_number", "action", "result", "detail", "hash",
    ];

    private OperationLogExportSummary ExportCsv(Stream output, OperationLogQuery? query)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        writer.WriteLine(string.Join(",", CsvColumns));
        long count = 0;
        long? first = null, last = null;
        foreach (var record in Read(query))
        {
            var e = record.Entry;
            writer.WriteLine(string.Join(",",
                record.Sequence.ToString(CultureInfo.InvariantCulture),
                Time(record.RecordedAt),
                Time(e.At),
                CsvCell.Text(e.StaffId),
                CsvCell.Text(e.Terminal),
                CsvCell.Text(e.AffairCode),
                e.SubjectAddresseeNumber?.ToString(CultureInfo.InvariantCulture) ?? "",
                Name(e.Action),
                Name(e.Result),
                CsvCell.Text(e.Detail),
                record.Hash));
            count++;
            first ??= record.Sequence;
            last = record.Sequence;
        }
        return new OperationLogExportSummary(count, first, last);
    }

    private OperationLogExportSummary ExportJson(Stream output, OperationLogQuery? query)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JsonDefaults.Options.Encoder });
        json.WriteStartObject();
        json.WriteString("municipality", Municipality.Digits);
        json.WriteString("log", Identity);
        json.WriteStartArray("entries");
        long count = 0;
        long? first = null, last = null;
        foreach (var record in Read(query))
        {
            var e = record.Entry;
            json.WriteStartObject();
            json.WriteNumber("sequence", record.Sequence);
            json.WriteString("recordedAt", Time(record.RecordedAt));
            json.WriteString("at", Time(e.At));
            json.WriteString("staffId", e.StaffId);
            json.WriteString("terminal", e.Terminal);
            WriteNullable(json, "affairCode", e.AffairCode);
            if (e.SubjectAddresseeNumber is { } subject) json.WriteNumber("subjectAddresseeNumber", subject);
            else json.WriteNull("subjectAddresseeNumber");
            json.WriteString("action", Name(e.Action));
            json.WriteString("result", Name(e.Result));
            WriteNullable(json, "detail", e.Detail);
            json.WriteString("hash", record.Hash);
            json.WriteEndObject();
            count++;
            first ??= record.Sequence;
            last = record.Sequence;
            if (json.BytesPending > 1 << 16) json.Flush();
        }
        json.WriteEndArray();
        json.WriteNumber("count", count);
        json.WriteEndObject();
        json.Flush();
        return new OperationLogExportSummary(count, first, last);
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    private static string Time(DateTimeOffset time) =>
        time.ToOffset(JapanStandardTime).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);

    /// <summary>The camelCase name used in payloads and exports (e.g. <c>loginFailed</c>).</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static OperationLogRecord ToRecord(AuditEntry stored, OperationLogEntry entry) =>
        new(stored.Sequence, stored.RecordedAt, entry, AuditHash.ToHex(stored.Hash));

    /// <summary>The canonical payload of an entry (validated first).</summary>
    public static byte[] Serialize(OperationLogEntry entry)
    {
        entry.Validate();
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonDefaults.Options.Encoder }))
        {
            // Keys in ordinal order: the canonical form of CanonicalJson, written directly.
            json.WriteStartObject();
            json.WriteString("action", Name(entry.Action));
            WriteNullable(json, "affairCode", entry.AffairCode);
            json.WriteString("at", AuditTime.Truncate(entry.At).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            WriteNullable(json, "detail", entry.Detail);
            json.WriteString("result", Name(entry.Result));
            json.WriteString("staffId", entry.StaffId);
            if (entry.SubjectAddresseeNumber is { } subject) json.WriteNumber("subjectAddresseeNumber", subject);
            else json.WriteNull("subjectAddresseeNumber");
            json.WriteString("terminal", entry.Terminal);
            json.WriteNumber("v", PayloadVersion);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a stored payload back; throws <see cref="OperationLogException"/> naming the sequence if it is not an operation-log entry.</summary>
    public static OperationLogEntry Deserialize(long sequence, byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.GetProperty("v").GetInt32() != PayloadVersion) throw new OperationLogException($"entry {sequence}: unknown payload version");
            return new OperationLogEntry(
                root.GetProperty("staffId").GetString()!,
                DateTimeOffset.Parse(root.GetProperty("at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                root.GetProperty("terminal").GetString()!,
                root.GetProperty("affairCode").GetString(),
                root.GetProperty("subjectAddresseeNumber").ValueKind == JsonValueKind.Null ? null : root.GetProperty("subjectAddresseeNumber").GetInt64(),
                ParseName<OperationAction>(root.GetProperty("action").GetString()),
                ParseName<OperationResult>(root.GetProperty("result").GetString()),
                root.GetProperty("detail").GetString());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentNullException)
        {
            throw new OperationLogException($"entry {sequence} is not a readable operation-log entry; run 'renkei audit verify'");
        }
    }

    private static T ParseName<T>(string? name) where T : struct, Enum =>
        Enum.TryParse<T>(name, ignoreCase: true, out var value) && Enum.IsDefined(value) && name is { Length: > 0 } && char.IsLower(name[0])
            ? value
            : throw new FormatException("unknown name");

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _ownedKey?.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
