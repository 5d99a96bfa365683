using Renkei.Core.Text;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Renkei.Infrastructure;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;

namespace Renkei.Municipality.Staff;

/// <summary>A staff account to create.</summary>
public sealed record NewStaffMember(StaffId Id, string DisplayName, StaffRole Role, IReadOnlyCollection<string> Affairs, bool Active = true);

/// <summary>A staff account as administrators see it: never the password hash or the TOTP secret.</summary>
/// <param name="Locked">locked out now (until <paramref name="LockedUntil"/>)</param>
/// <param name="FailedLogins">consecutive failures since the last lockout or successful login</param>
/// <param name="LockedUntil">the end of the current or last lockout; null if the account was never locked since its last good login</param>
/// <param name="Active">enabled and not past the day the person leaves (<paramref name="LeavesOn"/>)</param>
/// <param name="PasswordChangedAt">when the password was last set (its expiry counts from here)</param>
/// <param name="TemporaryPassword">the password is a temporary one from an administrator: the next login must set a new one</param>
/// <param name="LeavesOn">the day the person leaves (退職日・異動日): the account is disabled from that day on</param>
public sealed record StaffMember(StaffId Id, string DisplayName, StaffRole Role, IReadOnlyList<string> Affairs, bool Active, bool Locked,
    int FailedLogins, DateTimeOffset CreatedAt, DateTimeOffset? LockedUntil = null, DateTimeOffset? PasswordChangedAt = null,
    bool TemporaryPassword = false, DateOnly? LeavesOn = null);

/// <summary>
/// What a staff member needs to set up their authenticator app, shown once at enrolment: the shared secret in base32
/// and the otpauth:// URI for a QR code. Both are secrets; <see cref="ToString"/> is masked so neither slips into a log.
/// </summary>
public sealed class TotpEnrolment(StaffId staff, string secretBase32, string provisioningUri)
{
    public StaffId Staff { get; } = staff;
    public string SecretBase32 { get; } = secretBase32;
    public string ProvisioningUri { get; } = provisioningUri;
    public override string ToString() => $"TOTP enrolment for {Staff} (secret hidden)";
}

public enum AuthenticationOutcome
{
    Success,

    /// <summary>Wrong id or wrong password: the same answer for both, so the result never tells whether an id exists.</summary>
    InvalidCredentials,

    /// <summary>The password was right but the one-time code was wrong, out of its window, or already used.</summary>
    SecondFactorFailed,

    /// <summary>
    /// Too many consecutive failures: locked for a while (15 minutes, doubling with each further lockout) or until an
    /// administrator unlocks. Unknown ids lock the same way.
    /// </summary>
    Locked,

    /// <summary>Both factors were right but the account is disabled (told only to someone who proved both).</summary>
    Disabled,
}

public sealed record AuthenticationResult(AuthenticationOutcome Outcome, StaffSession? Session)
{
    public bool Succeeded => Outcome == AuthenticationOutcome.Success;

    /// <summary>What the login page says (Japanese).</summary>
    public string Message => Outcome switch
    {
        AuthenticationOutcome.Success => "ログインしました",
        AuthenticationOutcome.InvalidCredentials => "職員IDまたはパスワードが正しくありません",
        AuthenticationOutcome.SecondFactorFailed => "確認コードが正しくないか、既に使用されています",
        AuthenticationOutcome.Locked => "ログインに続けて失敗したため、一時的にロックされています。しばらく待ってからやり直すか、システム管理者に解除を依頼してください",
        AuthenticationOutcome.Disabled => "このアカウントは利用停止されています",
        _ => Outcome.ToString(),
    };
}

public sealed record StaffDirectoryOptions
{
    /// <summary>Production PBKDF2 setting unless a test or demo deliberately chooses <see cref="PasswordHashing.InsecureForTestsAndDemos"/>.</summary>
    public PasswordHashing PasswordHashing { get; init; } = PasswordHashing.Default;

    /// <summary>The issuer authenticator apps show, e.g. "Renkei 品川区".</summary>
    public string TotpIssuer { get; init; } = "Renkei";

    /// <summary>Consecutive failed logins that lock an id.</summary>
    public int MaxFailedLogins { get; init; } = 5;

    /// <summary>How long the first lockout lasts; each further lockout (without a good login in between) lasts twice as long.</summary>
    public TimeSpan FirstLockout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest a lockout lasts, however often the id was locked.</summary>
    public TimeSpan MaxLockout { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long a password lasts (seed 001: changed every three months or no login).</summary>
    public int PasswordLifetimeMonths { get; init; } = 3;

    /// <summary>How long before the password expires the staff member is warned, at login and on the dashboard.</summary>
    public int PasswordWarningDays { get; init; } = 14;

    /// <summary>The clock that decides whether a lockout has ended when accounts are read (<see cref="StaffDirectory.Find"/>, <see cref="StaffDirectory.Refresh"/>).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The length of the <paramref name="lockout"/>-th consecutive lockout (1-based): doubling, capped at <see cref="MaxLockout"/>.</summary>
    public TimeSpan LockoutDuration(long lockout)
    {
        var duration = FirstLockout;
        for (long i = 1; i < lockout && duration < MaxLockout; i++) duration += duration;
        return duration < MaxLockout ? duration : MaxLockout;
    }
}

/// <summary>
/// The ward's staff accounts (職員アカウント) in the municipality's database, on SQLite or PostgreSQL: id, Japanese display
/// name, role, assigned affairs (checked against the <see cref="AffairCatalogue"/>), active flag, a PBKDF2 password hash and
/// a TOTP secret encrypted with AES-GCM under a key file. Login takes both factors; five consecutive failures lock the id
/// for 15 minutes, each further lockout twice as long up to 24 hours; a good login resets both, and an administrator may
/// unlock earlier with a reason written to the operation log. Failures are counted for unknown ids too, so neither answers
/// nor lockouts reveal which ids exist.
/// </summary>
public sealed partial class StaffDirectory
{
    private readonly Database _database;
    private readonly TotpSecretProtector _secrets;
    private readonly Lazy<string> _dummyHash;

    /// <param name="totpKeyFile">The key file for TOTP secrets (created with 32 random bytes on first use, mode 600).</param>
    public StaffDirectory(Database database, AffairCatalogue catalogue, string totpKeyFile, StaffDirectoryOptions? options = null)
    {
        _database = database;
        Catalogue = catalogue;
        Options = options ?? new StaffDirectoryOptions();
        if (Options.MaxFailedLogins < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxFailedLogins must be at least 1");
        if (Options.FirstLockout <= TimeSpan.Zero || Options.MaxLockout < Options.FirstLockout)
            throw new ArgumentOutOfRangeException(nameof(options), "FirstLockout must be positive and MaxLockout at least FirstLockout");
        _secrets = new TotpSecretProtector(totpKeyFile);
        _dummyHash = new Lazy<string>(() => Options.PasswordHashing.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));
        Migrations.Apply(database, MunicipalitySchema.Tables);
    }

    public AffairCatalogue Catalogue { get; }
    public StaffDirectoryOptions Options { get; }

    /// <summary>Creates an account with a new random TOTP secret; returns the enrolment to show once.</summary>
    /// <exception cref="StaffException">the id exists, the display name or password is unacceptable, or an affair is unknown.</exception>
    public TotpEnrolment Create(NewStaffMember member, string password)
    {
        var secret = RandomNumberGenerator.GetBytes(Totp.SecretBytes);
        try
        {
            return Create(member, password, secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Creates an account with a given secret (demo seeding only, so the secret can be derived and known).</summary>
    internal TotpEnrolment Create(NewStaffMember member, string password, byte[] totpSecret)
    {
        var displayName = CheckDisplayName(member.DisplayName);
        var affairs = CheckAffairs(member.Affairs);
        var weakness = PasswordHashing.Weakness(password);
        if (weakness is not null) throw new StaffException(StaffException.WeakPassword, weakness);
        var hash = Options.PasswordHashing.Hash(password);
        var protectedSecret = _secrets.Protect(member.Id, totpSecret);
        var now = Timestamp(Options.Clock.GetUtcNow());

        _database.InTransaction((connection, transaction) =>
        {
            var inserted = connection.Command("""
                INSERT INTO staff_accounts (staff_id, display_name, role, active, password_hash, totp_secret, totp_last_step, created_at, updated_at,
                  password_changed_at, must_change_password)
                VALUES (@id, @name, @role, @active, @hash, @secret, NULL, @now, @now, @changed, 0) ON CONFLICT (staff_id) DO NOTHING
                """, transaction)
                .With("@changed", now).With("@id", member.Id.Value).With("@name", displayName).With("@role", member.Role.ToCode())
                .With("@active", member.Active ? 1 : 0).With("@hash", hash).With("@secret", protectedSecret).With("@now", now)
                .ExecuteNonQuery();
            if (inserted == 0) throw new StaffException(StaffException.StaffExists, $"職員ID {member.Id} は既に登録されています (staff id exists)");
            InsertAffairs(connection, transaction, member.Id, affairs);
            // A fresh account starts with a clean failure count (failures may have been counted while the id did not exist).
            ClearFailures(connection, transaction, member.Id);
        });
        return Enrolment(member.Id, totpSecret);
    }

    public StaffMember? Find(StaffId id)
    {
        using var connection = _database.Open();
        return Read(connection, null, id);
    }

    public IReadOnlyList<StaffMember> List()
    {
        using var connection = _database.Open();
        var ids = new List<StaffId>();
        using (var reader = connection.Command("SELECT staff_id FROM staff_accounts ORDER BY staff_id").ExecuteReader())
            while (reader.Read()) ids.Add(StaffId.Parse(reader.GetString(0)));
        ids.Sort((a, b) => string.CompareOrdinal(a.Value, b.Value));
        return ids.Select(id => Read(connection, null, id)!).ToList();
    }

    /// <summary>Replaces the affairs assigned to a staff member.</summary>
    /// <exception cref="StaffException">unknown staff or an unknown affair; nothing changes.</exception>
    public void AssignAffairs(StaffId id, IEnumerable<string> affairCodes)
    {
        var affairs = CheckAffairs(affairCodes.ToList());
        _database.InTransaction((connection, transaction) =>
        {
            RequireAccount(connection, transaction, id);
            connection.Command("DELETE FROM staff_affairs WHERE staff_id = @id", transaction).With("@id", id.Value).ExecuteNonQuery();
            InsertAffairs(connection, transaction, id, affairs);
            Touch(connection, transaction, id);
        });
    }

    /// <summary>Enables or disables an account. A disabled account cannot open a session.</summary>
    public void SetActive(StaffId id, bool active) => UpdateAccount(id, "active = @value", active ? 1 : 0);

    /// <exception cref="StaffException">unknown staff or a weak password.</exception>
    public void ChangePassword(StaffId id, string newPassword)
    {
        var weakness = PasswordHashing.Weakness(newPassword);
        if (weakness is not null) throw new StaffException(StaffException.WeakPassword, weakness);
        UpdateAccount(id, "password_hash = @value", Options.PasswordHashing.Hash(newPassword));
    }

    /// <summary>Gives the account a new TOTP secret (lost phone); the old codes stop working at once.</summary>
    public TotpEnrolment ResetTotp(StaffId id)
    {
        var secret = RandomNumberGenerator.GetBytes(Totp.SecretBytes);
        try
        {
            _database.InTransaction((connection, transaction) =>
            {
                RequireAccount(connection, transaction, id);
                connection.Command("UPDATE staff_accounts SET totp_secret = @secret, totp_last_step = NULL, updated_at = @now WHERE staff_id = @id", transaction)
                    .With("@secret", _secrets.Protect(id, secret)).With("@now", Timestamp(DateTimeOffset.UtcNow)).With("@id", id.Value)
                    .ExecuteNonQuery();
            });
            return Enrolment(id, secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>The longest reason an administrator gives for an unlock.</summary>
    public const int MaxUnlockReasonLength = 200;

    /// <summary>
    /// Clears a lockout (and the failure count) before it ends, on an administrator's word: <paramref name="administrator"/>
    /// must be an active administrator's account that is not locked itself, and the reason (1–200 characters, one line, no
    /// number) goes into the ward's operation log with both ids — a refusal is logged too. Never a password or a code.
    /// </summary>
    /// <param name="terminal">where the administrator works, for the log (e.g. the host name of a command-line run)</param>
    /// <exception cref="StaffException">not-administrator, invalid-reason or unknown-staff; nothing changes.</exception>
    public void Unlock(StaffId administrator, StaffId target, string? reason, OperationLog log, string terminal)
    {
        ArgumentNullException.ThrowIfNull(log);
        var detail = $"account unlock (ロック解除); staff={target}";
        void Record(OperationResult result, string text) =>
            log.Append(new OperationLogEntry(administrator.Value, Options.Clock.GetUtcNow(), terminal, null, null, OperationAction.AccountUnlocked, result, text));

        if (Find(administrator) is not { Role: StaffRole.Administrator, Active: true, Locked: false })
        {
            Record(OperationResult.Refused, detail + "; refused: not an active administrator");
            throw new StaffException(StaffException.NotAdministrator, "ロックの解除はシステム管理者が行います (only an active administrator may unlock)");
        }
        var trimmed = reason?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxUnlockReasonLength || trimmed.Any(char.IsControl)
            || PersonalNumberGuard.ContainsIndividualNumber(trimmed) || PersonalNumberGuard.ContainsResidentCode(trimmed))
        {
            Record(OperationResult.Refused, detail + "; refused: invalid reason");
            throw new StaffException(StaffException.InvalidReason,
                $"解除の理由は1〜{MaxUnlockReasonLength}文字の1行で、個人番号や住民票コードを含めないでください (invalid reason)");
        }
        if (Find(target) is null)
        {
            Record(OperationResult.Refused, detail + "; refused: unknown staff");
            throw UnknownStaff();
        }
        // Logged before the change: an unlock that is not in the log does not happen.
        Record(OperationResult.Success, $"{detail}; reason={trimmed}");
        _database.InTransaction((connection, transaction) =>
        {
            ClearFailures(connection, transaction, target);
            connection.Command("DELETE FROM staff_lockouts WHERE staff_id = @id", transaction).With("@id", target.Value).ExecuteNonQuery();
        });
    }

    /// <summary>
    /// Logs in with id, password and the current six-digit code from the authenticator app. On success the failure count is
    /// reset, the code's step is spent (the same code never works twice) and a stored hash with an outdated iteration count
    /// is upgraded. Unknown ids cost the same work and get the same answers as wrong passwords.
    /// </summary>
    public AuthenticationResult Authenticate(string? staffId, string? password, string? totpCode, DateTimeOffset now)
    {
        password ??= "";
        if (!StaffId.TryParse(staffId, out var id))
        {
            Options.PasswordHashing.Verify(password, _dummyHash.Value, out _);
            return new(AuthenticationOutcome.InvalidCredentials, null);
        }

        using var connection = _database.Open();
        if (LockedUntil(connection, null, id) is { } until && until > now) return new(AuthenticationOutcome.Locked, null);

        var account = ReadCredentials(connection, id);
        if (account is null)
        {
            Options.PasswordHashing.Verify(password, _dummyHash.Value, out _);
            return Failed(connection, id, now, AuthenticationOutcome.InvalidCredentials);
        }
        if (!Options.PasswordHashing.Verify(password, account.PasswordHash, out var needsRehash))
            return Failed(connection, id, now, AuthenticationOutcome.InvalidCredentials);

        long? step;
        var secret = _secrets.Unprotect(id, account.ProtectedSecret);
        try
        {
            step = Totp.Match(secret, totpCode, now, account.LastStep);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
        // Spend the step atomically: of two logins racing with the same code, only one succeeds.
        if (step is null || connection.Command(
                "UPDATE staff_accounts SET totp_last_step = @step WHERE staff_id = @id AND (totp_last_step IS NULL OR totp_last_step < @step)")
                .With("@step", step.Value).With("@id", id.Value).ExecuteNonQuery() != 1)
            return Failed(connection, id, now, AuthenticationOutcome.SecondFactorFailed);

        ClearFailures(connection, null, id);
        connection.Command("DELETE FROM staff_lockouts WHERE staff_id = @id").With("@id", id.Value).ExecuteNonQuery();
        if (!account.Active) return new(AuthenticationOutcome.Disabled, null);
        if (needsRehash)
            connection.Command("UPDATE staff_accounts SET password_hash = @hash WHERE staff_id = @id")
                .With("@hash", Options.PasswordHashing.Hash(password)).With("@id", id.Value).ExecuteNonQuery();

        var member = Read(connection, null, id)!;
        return new(AuthenticationOutcome.Success, new StaffSession(member.Id, member.DisplayName, member.Role, member.Affairs, now, null, Catalogue,
            PasswordOf(member, now)));
    }

    /// <summary>
    /// The session brought up to date with the account: null if the account is gone, disabled or locked; otherwise its current
    /// name, role and affairs, keeping the chosen affair only if it is still assigned. Call it on each request of a long session.
    /// </summary>
    public StaffSession? Refresh(StaffSession session)
    {
        var member = Find(session.StaffId);
        if (member is null || !member.Active || member.Locked) return null;
        var chosen = session.ChosenAffair is not null && member.Affairs.Contains(session.ChosenAffair, StringComparer.Ordinal) ? session.ChosenAffair : null;
        return new StaffSession(member.Id, member.DisplayName, member.Role, member.Affairs, session.OpenedAt, chosen, Catalogue,
            PasswordOf(member, Options.Clock.GetUtcNow()));
    }

    /// <summary>
    /// Counts a failure; the one that reaches <see cref="StaffDirectoryOptions.MaxFailedLogins"/> starts a lockout (each
    /// one twice as long as the one before) and the count begins again for when it ends.
    /// </summary>
    private AuthenticationResult Failed(DbConnection connection, StaffId id, DateTimeOffset now, AuthenticationOutcome outcome)
    {
        bool locked;
        using (var transaction = connection.BeginTransaction(
                   _database.Provider == DatabaseProvider.Sqlite ? System.Data.IsolationLevel.Serializable : System.Data.IsolationLevel.ReadCommitted))
        {
            var failures = connection.Command("""
                INSERT INTO staff_login_failures (staff_id, failures, last_failed_at) VALUES (@id, 1, @at)
                ON CONFLICT (staff_id) DO UPDATE SET failures = staff_login_failures.failures + 1, last_failed_at = @at
                RETURNING failures
                """, transaction).With("@id", id.Value).With("@at", Timestamp(now)).ScalarInt64();
            locked = failures >= Options.MaxFailedLogins;
            if (locked)
            {
                var lockouts = connection.Command("SELECT lockouts FROM staff_lockouts WHERE staff_id = @id", transaction).With("@id", id.Value).ScalarInt64() + 1;
                connection.Command("""
                    INSERT INTO staff_lockouts (staff_id, lockouts, locked_until) VALUES (@id, @lockouts, @until)
                    ON CONFLICT (staff_id) DO UPDATE SET lockouts = @lockouts, locked_until = @until
                    """, transaction)
                    .With("@id", id.Value).With("@lockouts", lockouts).With("@until", Timestamp(now + Options.LockoutDuration(lockouts))).ExecuteNonQuery();
                ClearFailures(connection, transaction, id);
            }
            transaction.Commit();
        }
        return new(locked ? AuthenticationOutcome.Locked : outcome, null);
    }

    private static void ClearFailures(DbConnection connection, DbTransaction? transaction, StaffId id) =>
        connection.Command("DELETE FROM staff_login_failures WHERE staff_id = @id", transaction).With("@id", id.Value).ExecuteNonQuery();

    private static DateTimeOffset? LockedUntil(DbConnection connection, DbTransaction? transaction, StaffId id)
    {
        var until = connection.Command("SELECT locked_until FROM staff_lockouts WHERE staff_id = @id", transaction).With("@id", id.Value).ExecuteScalar();
        return until is string text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : null;
    }

    private sealed record Credentials(string PasswordHash, byte[] ProtectedSecret, long? LastStep, bool Active);

    private Credentials? ReadCredentials(DbConnection connection, StaffId id)
    {
        using var reader = connection.Command("SELECT password_hash, totp_secret, totp_last_step, active, leaves_on FROM staff_accounts WHERE staff_id = @id")
            .With("@id", id.Value).ExecuteReader();
        if (!reader.Read()) return null;
        var leaves = reader.NullableString(4);
        var left = leaves is not null && HasLeft(DateOnly.ParseExact(leaves, "yyyy-MM-dd", CultureInfo.InvariantCulture));
        return new Credentials(reader.GetString(0), (byte[])reader.GetValue(1), reader.NullableInt64(2),
            Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture) != 0 && !left);
    }

    private StaffMember? Read(DbConnection connection, DbTransaction? transaction, StaffId id)
    {
        string name, role, created;
        bool active, temporary;
        string? passwordChanged, leaves;
        using (var reader = connection.Command(
                   "SELECT display_name, role, active, created_at, password_changed_at, must_change_password, leaves_on FROM staff_accounts WHERE staff_id = @id",
                   transaction).With("@id", id.Value).ExecuteReader())
        {
            if (!reader.Read()) return null;
            (name, role, active, created) = (reader.GetString(0), reader.GetString(1),
                Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture) != 0, reader.GetString(3));
            (passwordChanged, temporary, leaves) = (reader.NullableString(4), Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture) != 0,
                reader.NullableString(6));
        }
        var leavesOn = leaves is null ? (DateOnly?)null : DateOnly.ParseExact(leaves, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var affairs = new List<string>();
        using (var reader = connection.Command("SELECT affair_code FROM staff_affairs WHERE staff_id = @id ORDER BY affair_code", transaction)
                   .With("@id", id.Value).ExecuteReader())
            while (reader.Read()) affairs.Add(reader.GetString(0));
        affairs.Sort(StringComparer.Ordinal); // the same order on every engine, whatever its collation
        var failures = (int)connection.Command("SELECT failures FROM staff_login_failures WHERE staff_id = @id", transaction)
            .With("@id", id.Value).ScalarInt64();
        var lockedUntil = LockedUntil(connection, transaction, id);
        var createdAt = DateTimeOffset.Parse(created, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        return new StaffMember(id, name, StaffRoles.FromCode(role), affairs, active && !HasLeft(leavesOn), lockedUntil > Options.Clock.GetUtcNow(), failures,
            createdAt, lockedUntil,
            passwordChanged is null ? createdAt : DateTimeOffset.Parse(passwordChanged, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            temporary, leavesOn);
    }

    private void UpdateAccount(StaffId id, string assignment, object value) => _database.InTransaction((connection, transaction) =>
    {
        var updated = connection.Command($"UPDATE staff_accounts SET {assignment}, updated_at = @now WHERE staff_id = @id", transaction)
            .With("@value", value).With("@now", Timestamp(DateTimeOffset.UtcNow)).With("@id", id.Value).ExecuteNonQuery();
        if (updated == 0) throw UnknownStaff();
    });

    private static void RequireAccount(DbConnection connection, DbTransaction transaction, StaffId id)
    {
        var exists = connection.Command("SELECT COUNT(*) FROM staff_accounts WHERE staff_id = @id", transaction).With("@id", id.Value).ScalarInt64();
        if (exists == 0) throw UnknownStaff();
    }

    private static void Touch(DbConnection connection, DbTransaction transaction, StaffId id) =>
        connection.Command("UPDATE staff_accounts SET updated_at = @now WHERE staff_id = @id", transaction)
            .With("@now", Timestamp(DateTimeOffset.UtcNow)).With("@id", id.Value).ExecuteNonQuery();

    private static void InsertAffairs(DbConnection connection, DbTransaction transaction, StaffId id, IReadOnlyCollection<string> affairs)
    {
        foreach (var affair in affairs)
            connection.Command("INSERT INTO staff_affairs (staff_id, affair_code) VALUES (@id, @affair)", transaction)
                .With("@id", id.Value).With("@affair", affair).ExecuteNonQuery();
    }

    private static StaffException UnknownStaff() => new(StaffException.UnknownStaff, "該当する職員が登録されていません (unknown staff id)");

    private List<string> CheckAffairs(IReadOnlyCollection<string> codes)
    {
        var result = new List<string>();
        foreach (var raw in codes)
        {
            var code = raw?.Trim().ToLowerInvariant() ?? "";
            if (Catalogue.Find(code) is null)
                throw new StaffException(StaffException.UnknownAffair,
                    $"事務「{(code.Length > 40 ? code[..40] + "…" : code)}」は事務一覧（{Catalogue.FileName}）にありません (unknown affair)");
            if (!result.Contains(code, StringComparer.Ordinal)) result.Add(code);
        }
        return result;
    }

    private static string CheckDisplayName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > 64 || trimmed.Any(char.IsControl))
            throw new StaffException(StaffException.InvalidDisplayName, "表示名は1〜64文字で、制御文字を含めないでください (invalid display name)");
        return trimmed;
    }

    private TotpEnrolment Enrolment(StaffId id, byte[] secret) =>
        new(id, Base32.Encode(secret), Totp.ProvisioningUri(secret, Options.TotpIssuer, id.Value));

    private static string Timestamp(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
