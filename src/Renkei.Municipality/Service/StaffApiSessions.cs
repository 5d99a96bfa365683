using System.Security.Cryptography;
using System.Text;
using Renkei.Infrastructure;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Staff;

namespace Renkei.Municipality.Service;

/// <summary>A session just opened: the bearer token (shown once, to the client that logged in) and when it lapses if unused.</summary>
public sealed class StaffApiSessionOpened(string token, DateTimeOffset expiresAt)
{
    public string Token { get; } = token;
    public DateTimeOffset ExpiresAt { get; } = expiresAt;
    public override string ToString() => $"staff API session until {ExpiresAt:O} (token hidden)";
}

/// <summary>A live session found by its token: the staff session's current state and the new (slid) expiry.</summary>
public sealed record StaffApiSessionFound(StaffSession Session, DateTimeOffset ExpiresAt);

/// <summary>
/// The API's staff sessions, kept in the ward's database (<c>staff_api_sessions</c>) so that every instance of the ward API
/// on that database knows every session: one opened at one instance behind a load balancer is used, slid and closed at
/// another. A token is 256 random bits in base64url (43 characters); the table keeps only its SHA-256, so neither a dump
/// of the table nor a log of it yields a usable token. Expiry slides: a session unused for <see cref="IdleTimeout"/> is
/// gone, and every use extends it. Sessions outlive a restart of the service until they lapse.
/// </summary>
public sealed class StaffApiSessions
{
    /// <summary>Length of a token as issued (32 bytes in unpadded base64url).</summary>
    public const int TokenLength = 43;

    private readonly Database _database;
    private readonly AffairCatalogue _catalogue;
    private readonly TimeProvider _clock;

    public StaffApiSessions(Database database, AffairCatalogue catalogue, TimeProvider clock, TimeSpan idleTimeout)
    {
        _database = database;
        _catalogue = catalogue;
        _clock = clock;
        IdleTimeout = idleTimeout > TimeSpan.Zero ? idleTimeout : throw new ArgumentOutOfRangeException(nameof(idleTimeout));
        Migrations.Apply(database, MunicipalitySchema.Tables);
    }

    public TimeSpan IdleTimeout { get; }

    private static readonly TimeSpan SlideWriteInterval = TimeSpan.FromMinutes(1);

    public StaffApiSessionOpened Open(StaffSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var bytes = RandomNumberGenerator.GetBytes(32);
        var token = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        CryptographicOperations.ZeroMemory(bytes);
        var now = _clock.GetUtcNow();
        using var connection = _database.Open();
        connection.Command("DELETE FROM staff_api_sessions WHERE last_seen < @idle").With("@idle", Micros(now - IdleTimeout)).ExecuteNonQuery();
        connection.Command("""
            INSERT INTO staff_api_sessions (token_hash, staff_id, display_name, role, affairs, chosen_affair, opened_at, last_seen)
            VALUES (@h, @id, @name, @role, @affairs, @chosen, @opened, @now)
            """).With("@h", Key(token)).With("@id", session.StaffId.Value).With("@name", session.DisplayName).With("@role", session.Role.ToString())
            .With("@affairs", string.Join('\n', session.AssignedAffairs)).With("@chosen", session.ChosenAffair)
            .With("@opened", Micros(session.OpenedAt)).With("@now", Micros(now)).ExecuteNonQuery();
        return new StaffApiSessionOpened(token, now + IdleTimeout);
    }

    /// <summary>The session for a token, touched (its expiry slides); null when unknown, closed or idle too long.</summary>
    public StaffApiSessionFound? Find(string? token)
    {
        if (!LooksLikeToken(token)) return null;
        var key = Key(token!);
        var now = _clock.GetUtcNow();
        using var connection = _database.Open();
        StaffSession session;
        long lastSeen;
        using (var reader = connection.Command(
                   "SELECT staff_id, display_name, role, affairs, chosen_affair, opened_at, last_seen FROM staff_api_sessions WHERE token_hash = @h")
                   .With("@h", key).ExecuteReader())
        {
            if (!reader.Read()) return null;
            session = new StaffSession(StaffId.Parse(reader.GetString(0)), reader.GetString(1), Enum.Parse<StaffRole>(reader.GetString(2)),
                reader.GetString(3).Split('\n', StringSplitOptions.RemoveEmptyEntries), FromMicros(reader.GetInt64(5)), reader.NullableString(4), _catalogue);
            lastSeen = reader.GetInt64(6);
        }
        if (Micros(now) - lastSeen > IdleTimeout.Ticks / 10)
        {
            connection.Command("DELETE FROM staff_api_sessions WHERE token_hash = @h").With("@h", key).ExecuteNonQuery();
            return null;
        }
        // Every request finds its session (the access check, then the handler): the slide is written at most once a
        // minute, so reads stay reads; expiry is then up to a minute early, never late.
        if (Micros(now) - lastSeen >= SlideWriteInterval.Ticks / 10)
            connection.Command("UPDATE staff_api_sessions SET last_seen = @now WHERE token_hash = @h AND last_seen < @now")
                .With("@now", Micros(now)).With("@h", key).ExecuteNonQuery();
        return new StaffApiSessionFound(session, now + IdleTimeout);
    }

    /// <summary>
    /// Stores the session's new state (affair chosen or left, refreshed from the directory) when it differs from
    /// <paramref name="stored"/>, what <see cref="Find"/> returned (null: write it). No effect on a closed session.
    /// </summary>
    public void Update(string token, StaffSession session, StaffSession? stored = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!LooksLikeToken(token)) return;
        if (stored is not null && stored.DisplayName == session.DisplayName && stored.Role == session.Role && stored.ChosenAffair == session.ChosenAffair
            && stored.AssignedAffairs.SequenceEqual(session.AssignedAffairs, StringComparer.Ordinal)) return;
        using var connection = _database.Open();
        connection.Command("""
            UPDATE staff_api_sessions SET display_name = @name, role = @role, affairs = @affairs, chosen_affair = @chosen WHERE token_hash = @h
            """).With("@name", session.DisplayName).With("@role", session.Role.ToString()).With("@affairs", string.Join('\n', session.AssignedAffairs))
            .With("@chosen", session.ChosenAffair).With("@h", Key(token)).ExecuteNonQuery();
    }

    /// <summary>Ends the session; false if there was none.</summary>
    public bool Close(string? token)
    {
        if (!LooksLikeToken(token)) return false;
        using var connection = _database.Open();
        return connection.Command("DELETE FROM staff_api_sessions WHERE token_hash = @h").With("@h", Key(token!)).ExecuteNonQuery() > 0;
    }

    /// <summary>43 base64url characters: anything else is not one of ours and is not even hashed.</summary>
    public static bool LooksLikeToken(string? token) =>
        token is { Length: TokenLength } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static long Micros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromMicros(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + micros * 10, TimeSpan.Zero);

    private static string Key(string token) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
}
