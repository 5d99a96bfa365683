using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Kinds;
using Renkei.Intermediate.Storage;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Copies;

/// <summary>
/// Bulk load from NDJSON (one <see cref="CopyUpdate"/> per line): lines are parsed and validated while the previous
/// batch is being written, each batch in one transaction. The first invalid line stops the load; its batch is not
/// written, earlier batches stay. Resending a stream is safe: copies already held come back as unchanged.
/// </summary>
public sealed class StreamLoader(CopyService service)
{
    private const int MaxLineBytes = 1 << 20;

    /// <summary>Loads the stream; every batch committed is kept with <paramref name="actor"/> (required: 400 naming <c>actor</c>).</summary>
    public async Task<LoadStreamResponse> LoadAsync(string? holder, Actor? actor, PipeReader input, int batchSize, CancellationToken cancellationToken)
    {
        service.CheckHolder(holder);
        var by = CopyService.RequireActor(actor);
        if (batchSize is < 1 or > IntermediateRoutes.MaxBatchSize)
            throw new RefusalException(400, "invalid-request",
                $"batchSize: between 1 and {IntermediateRoutes.MaxBatchSize} (一括件数が正しくありません)");

        long received = 0, stored = 0, unchanged = 0, stale = 0, line = 0;
        var batches = 0;
        var listed = new List<IgnoredCopy>();
        StreamFailure? failure = null;
        Task? pending = null;
        var records = new List<CopyRecord>(batchSize);
        var lines = new List<long>(batchSize);
        var errors = new List<ValidationError>();

        void Account(BatchWriteResult result, List<CopyRecord> written, List<long> writtenLines)
        {
            var (u, s, more) = CopyService.Describe(result, i => (writtenLines[i], written[i]), listed.Count);
            stored += result.Written;
            unchanged += u;
            stale += s;
            listed.AddRange(more);
            batches++;
        }

        async Task FlushAsync()
        {
            if (pending is not null) await pending;
            pending = null;
            if (records.Count == 0) return;
            var batch = records;
            var batchLines = lines;
            records = new List<CopyRecord>(batchSize);
            lines = new List<long>(batchSize);
            pending = Task.Run(() =>
            {
                var result = service.Store.Database.InTransaction((c, t) =>
                {
                    var now = DateTimeOffset.UtcNow;
                    var written = service.Store.WriteCopies(c, t, service.HolderCode, batch, now);
                    service.Store.Actions.Append(c, t, null, HolderActionLog.CopyStream, by, now, items: batch.Count);
                    return written;
                });
                Account(result, batch, batchLines);
            }, cancellationToken);
        }

        try
        {
            while (true)
            {
                var read = await input.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                if (failure is null)
                {
                    while (TryReadLine(ref buffer, out var bytes))
                    {
                        line++;
                        if (!Process(bytes)) break;
                        if (records.Count >= batchSize) await FlushAsync();
                    }
                    if (failure is null && read.IsCompleted && buffer.Length > 0)
                    {
                        line++;
                        Process(buffer);
                        buffer = buffer.Slice(buffer.End);
                    }
                    if (failure is null && !read.IsCompleted && buffer.Length > MaxLineBytes)
                        failure = new StreamFailure(line + 1, "line-too-long", $"a line is longer than {MaxLineBytes} bytes (1行が長すぎます)");
                }
                if (failure is not null) buffer = buffer.Slice(buffer.End); // drain the rest of the upload unread
                input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted) break;
            }
        }
        catch
        {
            // The upload broke off (or the client went away): let the batch being written finish before leaving.
            if (pending is not null) await Task.WhenAny(pending);
            throw;
        }
        if (failure is null) await FlushAsync();
        if (pending is not null) await pending;
        return new LoadStreamResponse(received, stored, unchanged, stale, batches, listed, failure);

        bool Process(ReadOnlySequence<byte> bytes)
        {
            if (IsBlank(bytes)) return true;
            received++;
            errors.Clear();
            var path = "line " + line.ToString(CultureInfo.InvariantCulture);
            if (Parse(bytes, path, errors) is { } record)
            {
                records.Add(record);
                lines.Add(line);
                return true;
            }
            received--; // the failing line is not part of what was received for storing
            failure = new StreamFailure(line, errors[0].Rule == "json" ? "invalid-json" : "invalid-copy",
                string.Join("; ", errors.Take(10)) + " (副本の内容が正しくありません)");
            return false;
        }
    }

    private CopyRecord? Parse(ReadOnlySequence<byte> bytes, string path, List<ValidationError> errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            errors.Add(new ValidationError(path, "json", "not a JSON object on one line (JSONの形式が正しくありません)"));
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new ValidationError(path, "type", "expected object (型が正しくありません)"));
                return null;
            }
            long addressee = 0, version = 0;
            string? kind = null;
            DateOnly asOf = default;
            JsonElement body = default;
            bool hasAddressee = false, hasVersion = false, hasAsOf = false;
            foreach (var property in root.EnumerateObject())
            {
                var value = property.Value;
                if (property.NameEquals("addresseeNumber"))
                {
                    hasAddressee = value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out addressee);
                    if (!hasAddressee) errors.Add(new ValidationError(path + ".addresseeNumber", "type", "expected integer (型が正しくありません)"));
                }
                else if (property.NameEquals("kind"))
                {
                    if (value.ValueKind == JsonValueKind.String) kind = value.GetString();
                    else errors.Add(new ValidationError(path + ".kind", "type", "expected string (型が正しくありません)"));
                }
                else if (property.NameEquals("asOf"))
                {
                    hasAsOf = value.ValueKind == JsonValueKind.String
                        && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out asOf);
                    if (!hasAsOf) errors.Add(new ValidationError(path + ".asOf", "format", "not a date in YYYY-MM-DD form (日付の形式が正しくありません)"));
                }
                else if (property.NameEquals("version"))
                {
                    hasVersion = value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out version);
                    if (!hasVersion) errors.Add(new ValidationError(path + ".version", "type", "expected integer (型が正しくありません)"));
                }
                else if (property.NameEquals("body")) body = value;
                else errors.Add(new ValidationError(JsonSchemaNode.PathOf(path, property.Name), "additionalProperties",
                    "property not part of a copy (副本にない項目です)"));
            }
            if (!hasAddressee && !root.TryGetProperty("addresseeNumber", out _))
                errors.Add(new ValidationError(path + ".addresseeNumber", "required", "required property is missing (必須項目がありません)"));
            if (kind is null && !root.TryGetProperty("kind", out _))
                errors.Add(new ValidationError(path + ".kind", "required", "required property is missing (必須項目がありません)"));
            if (!hasAsOf && !root.TryGetProperty("asOf", out _))
                errors.Add(new ValidationError(path + ".asOf", "required", "required property is missing (必須項目がありません)"));
            if (!hasVersion && !root.TryGetProperty("version", out _))
                errors.Add(new ValidationError(path + ".version", "required", "required property is missing (必須項目がありません)"));
            if (errors.Count > 0) return null;
            // kind is non-null here unless it was absent, which added an error above.
            return service.TryValidate(new CopyUpdate(addressee, kind!, asOf, version, body), path, errors, out var record) ? record : null;
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var position = buffer.PositionOf((byte)'\n');
        if (position is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, position.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, position.Value));
        return true;
    }

    private static bool IsBlank(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
            foreach (var b in segment.Span)
                if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t')) return false;
        return true;
    }
}
