using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Renkei.Infrastructure;

/// <summary>
/// Makes retried requests idempotent: a table of request IDs, each with what the request was (operation and a
/// fingerprint of its content) and the response it got. The owner creates the table in its own schema scripts
/// (<c>request_id TEXT PRIMARY KEY, operation TEXT NOT NULL, fingerprint TEXT NOT NULL, response TEXT NULL, received_at TEXT NOT NULL</c>;
/// see <see cref="SchemaComponent"/>) and calls <see cref="Claim"/> and <see cref="Complete"/> inside
/// the transaction that does the work, so a request's effects and its record commit together or not at all.
/// </summary>
public sealed partial class RequestLedger
{
    private readonly string _table;

    public RequestLedger(string table)
    {
        if (!TableName().IsMatch(table)) throw new ArgumentException("a table name of lower-case letters, digits and underscores", nameof(table));
        _table = table;
    }

    /// <summary>
    /// Claims a request ID in this transaction. Returns null when the request is new (do the work, then
    /// <see cref="Complete"/>), or the stored request when it was seen before. On PostgreSQL a concurrent transaction
    /// holding the same ID makes this wait until that one commits or rolls back.
    /// </summary>
    public StoredRequest? Claim(DbConnection c, DbTransaction t, Guid requestId, string operation, string fingerprint, DateTimeOffset now)
    {
        using (var claim = c.Command($"""
            INSERT INTO {_table} (request_id, operation, fingerprint, response, received_at)
            VALUES (@id, @op, @fp, NULL, @at) ON CONFLICT (request_id) DO NOTHING RETURNING request_id
            """, t))
        {
            claim.With("id", requestId.ToString("D")).With("op", operation).With("fp", fingerprint)
                .With("at", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            if (claim.ExecuteScalar() is not null) return null;
        }
        using var select = c.Command($"SELECT operation, fingerprint, response FROM {_table} WHERE request_id = @id", t);
        using var reader = select.With("id", requestId.ToString("D")).ExecuteReader();
        if (!reader.Read()) throw new InvalidOperationException("request record vanished");
        return new StoredRequest(reader.GetString(0), reader.GetString(1), reader.NullableString(2));
    }

    /// <summary>The stored request with this ID, or null: a read without claiming (e.g. to answer a retry before doing any work).</summary>
    public StoredRequest? Find(DbConnection c, DbTransaction? t, Guid requestId)
    {
        using var select = c.Command($"SELECT operation, fingerprint, response FROM {_table} WHERE request_id = @id", t);
        using var reader = select.With("id", requestId.ToString("D")).ExecuteReader();
        return reader.Read() ? new StoredRequest(reader.GetString(0), reader.GetString(1), reader.NullableString(2)) : null;
    }

    public void Complete(DbConnection c, DbTransaction t, Guid requestId, string response)
    {
        using var update = c.Command($"UPDATE {_table} SET response = @r WHERE request_id = @id", t);
        update.With("r", response).With("id", requestId.ToString("D")).ExecuteNonQuery();
    }

    /// <summary><see cref="Claim"/> for request paths (asynchronous on PostgreSQL).</summary>
    public async ValueTask<StoredRequest?> ClaimAsync(DbConnection c, DbTransaction t, Guid requestId, string operation, string fingerprint,
        DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        using (var claim = c.Command($"""
            INSERT INTO {_table} (request_id, operation, fingerprint, response, received_at)
            VALUES (@id, @op, @fp, NULL, @at) ON CONFLICT (request_id) DO NOTHING RETURNING request_id
            """, t))
        {
            claim.With("id", requestId.ToString("D")).With("op", operation).With("fp", fingerprint)
                .With("at", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            if (await claim.ScalarAsync(cancellationToken).ConfigureAwait(false) is not null) return null;
        }
        return await FindAsync(c, t, requestId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("request record vanished");
    }

    /// <summary><see cref="Find"/> for request paths (asynchronous on PostgreSQL).</summary>
    public async ValueTask<StoredRequest?> FindAsync(DbConnection c, DbTransaction? t, Guid requestId, CancellationToken cancellationToken = default)
    {
        using var select = c.Command($"SELECT operation, fingerprint, response FROM {_table} WHERE request_id = @id", t);
        await using var reader = await select.With("id", requestId.ToString("D")).ReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadRowAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredRequest(reader.GetString(0), reader.GetString(1), reader.NullableString(2))
            : null;
    }

    /// <summary><see cref="Complete"/> for request paths (asynchronous on PostgreSQL).</summary>
    public async ValueTask CompleteAsync(DbConnection c, DbTransaction t, Guid requestId, string response, CancellationToken cancellationToken = default)
    {
        using var update = c.Command($"UPDATE {_table} SET response = @r WHERE request_id = @id", t);
        await update.With("r", response).With("id", requestId.ToString("D")).ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    public sealed record StoredRequest(string Operation, string Fingerprint, string? Response);

    /// <summary>A request's fingerprint: SHA-256 (hex) over its length-prefixed UTF-8 parts, so no two part lists collide.</summary>
    public static string Fingerprint(params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var part in parts)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(part);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex TableName();
}
