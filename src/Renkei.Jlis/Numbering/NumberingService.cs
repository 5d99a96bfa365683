using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Storage;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Numbering;

/// <summary>
/// J-LIS's numbering service (地方公共団体情報システム機構の付番): the operations of the published contract
/// (<see cref="JlisRoutes"/>), each in one database transaction. Requests that create something are idempotent by
/// request ID: the first answer is stored in the same transaction as the work, and a retry gets it back unchanged.
/// Refusals are not stored: a retried refused request is evaluated again.
/// </summary>
/// <remarks>
/// A batch (初期一斉指定) refuses, each with a reason, and designates everything else:
/// <list type="bullet">
/// <item>a code that appears more than once in the extract (every occurrence, once in the refusal list): the
/// extract is meant to list each resident once, and J-LIS cannot tell which record the code really belongs to;</item>
/// <item>a code J-LIS has retired (<see cref="JlisStore.RetireResidentCode"/>).</item>
/// </list>
/// A batch must hold 1 … <see cref="MaxBatchSize"/> codes (larger registries send several batches).
/// Codes need not have been issued through <see cref="IssueResidentCode"/>: registries that predate this service
/// bring their own codes, as municipalities did with 住基ネット codes in 2015.
/// </remarks>
public sealed class NumberingService : IDisposable
{
    public const int MaxBatchSize = 1_000_000;
    private const int MaxAttempts = 3;

    private static readonly JsonSerializerOptions Json = JsonDefaults.Options;
    private readonly JlisStore _store;
    private readonly NumberDeriver _deriver;
    private readonly TimeProvider _time;

    public NumberingService(JlisStore store, NumberDeriver deriver, TimeProvider? time = null)
    {
        _store = store;
        _deriver = deriver;
        _time = time ?? TimeProvider.System;
    }

    public JlisStore Store => _store;
    public NumberDeriver Deriver => _deriver;

    /// <summary>
    /// The numbering service on J-LIS's database (J-LIS's module, and batch jobs and benchmarks in the same process as the
    /// database): creates the schema, loads or creates the key, and checks that the key is the one this database was
    /// numbered with. Dispose it when done.
    /// </summary>
    public static NumberingService Open(Database database, string keyFilePath)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyFilePath);
        var store = new JlisStore(database);
        store.EnsureSchema();
        var key = SecretKeyFile.LoadOrCreate(keyFilePath, NumberDeriver.KeyLength);
        try
        {
            var check = Convert.ToHexString(HMACSHA256.HashData(key, "renkei/jlis/numbering-key-check/v1"u8));
            if (!store.KeyMatches(check))
                throw new InvalidOperationException(
                    "the numbering key file is not the one this J-LIS database was numbered with; restore the right key file");
            return new NumberingService(store, new NumberDeriver(key));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The number for one code: the current one when it has one, else a new generation-0 designation.</summary>
    public NumberAssignment DeriveNumber(DeriveNumberRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId, "requestId");
        var fingerprint = Fingerprint($"derive|{request.Municipality.Digits}|{request.ResidentCode.ToInt64()}");
        return Idempotent(request.RequestId, "derive", fingerprint, (c, t, now) =>
        {
            RequireResidentOf(c, t, request.ResidentCode, request.Municipality);
            if (_store.IsRetired(c, t, request.ResidentCode)) throw Retired();
            var current = _store.FindCurrent(c, t, request.ResidentCode);
            if (current is not null) return new NumberAssignment(request.ResidentCode, current.IndividualNumber);
            var number = _deriver.Derive(request.ResidentCode, 0);
            var codes = new[] { request.ResidentCode.ToInt64() };
            if (_store.InsertFirstDesignations(c, t, codes, [number.ToInt64()], request.Municipality, now).Count == 1)
                return new NumberAssignment(request.ResidentCode, number);
            // Designated by a concurrent transaction in the meantime: answer with what it stored.
            return new NumberAssignment(request.ResidentCode, _store.FindCurrent(c, t, request.ResidentCode)!.IndividualNumber);
        });
    }

    /// <summary>Initial bulk assignment (初期一斉指定): the notification file for an extract. See the class remarks for refusals.</summary>
    public NumberingBatchResponse RequestBatch(NumberingBatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.BatchId, "batchId");
        var extract = request.ResidentCodes ?? throw RefusalException.BadRequest("invalid-request", "residentCodes is missing (住民票コードの一覧がありません)");
        if (extract.Count == 0)
            throw RefusalException.BadRequest("empty-batch", "the batch holds no resident-record codes (住民票コードがありません)");
        if (extract.Count > MaxBatchSize)
            throw RefusalException.BadRequest("batch-too-large",
                $"a batch holds at most {MaxBatchSize} codes; split the extract (一度に送れる件数を超えています)");

        var values = new long[extract.Count];
        for (var i = 0; i < values.Length; i++) values[i] = extract[i].ToInt64();
        var fingerprint = BatchFingerprint(request.Municipality, values);

        // Occurrences per code, and the distinct codes in extract order.
        var occurrences = new Dictionary<long, int>(values.Length);
        foreach (var value in values) occurrences[value] = occurrences.GetValueOrDefault(value) + 1;

        return Idempotent(request.BatchId, "batch", fingerprint, (c, t, now) =>
        {
            var distinct = new List<long>(occurrences.Count);
            foreach (var (code, count) in occurrences) if (count == 1) distinct.Add(code);
            var retired = _store.FindRetired(c, t, distinct);
            var others = _store.FindOthers(c, t, distinct, request.Municipality);
            var candidates = retired.Count == 0 && others.Count == 0
                ? distinct
                : distinct.Where(code => !retired.Contains(code) && !others.Contains(code)).ToList();

            // Derive generation 0 for every candidate in bulk and insert where the code has no number yet; the
            // codes that already had one (the insert skipped them) are then looked up. For a first designation,
            // the usual case, that is one pass of inserts and no lookups.
            var codeValues = new ResidentCode[candidates.Count];
            for (var i = 0; i < codeValues.Length; i++) codeValues[i] = ResidentCode.FromInt64(candidates[i]);
            var derived = new IndividualNumber[codeValues.Length];
            _deriver.Derive(codeValues, 0, derived);
            var numbers = new long[derived.Length];
            for (var i = 0; i < derived.Length; i++) numbers[i] = derived[i].ToInt64();

            var inserted = _store.InsertFirstDesignations(c, t, candidates, numbers, request.Municipality, now);
            var current = inserted.Count == candidates.Count
                ? new Dictionary<long, (long Number, int Generation)>(candidates.Count)
                : _store.FindCurrent(c, t, candidates.Where(code => !inserted.Contains(code)).ToList());
            for (var i = 0; i < candidates.Count; i++)
                if (inserted.Contains(candidates[i])) current[candidates[i]] = (numbers[i], 0);

            var assignments = new List<NumberAssignment>(candidates.Count);
            var refused = new List<RefusedResidentCode>();
            var reported = new HashSet<long>();
            foreach (var value in values)
            {
                if (occurrences[value] > 1)
                {
                    if (reported.Add(value))
                        refused.Add(new RefusedResidentCode(ResidentCode.FromInt64(value),
                            $"the code appears {occurrences[value]} times in the batch (抽出住民票コードに重複があります)"));
                }
                else if (others.Contains(value))
                {
                    refused.Add(new RefusedResidentCode(ResidentCode.FromInt64(value), OtherMunicipalityReason));
                }
                else if (retired.Contains(value))
                {
                    refused.Add(new RefusedResidentCode(ResidentCode.FromInt64(value),
                        "J-LIS has retired this resident-record code (この住民票コードは使用できません)"));
                }
                else
                {
                    assignments.Add(new NumberAssignment(ResidentCode.FromInt64(value), IndividualNumber.FromInt64(current[value].Number)));
                }
            }
            return new NumberingBatchResponse(request.BatchId, assignments, refused);
        });
    }

    /// <summary>
    /// Whether a number is (or was) the code's, asked by <paramref name="caller"/>. For its own resident a ward gets the
    /// answer. For another municipality's resident it gets one only when it already holds both the code and the current
    /// number, as a ward does at an arrival (転入: they come from the moving-out certificate): J-LIS then records that the
    /// resident lives in the caller's municipality now (転入通知), and that ward acts for them from then on. A superseded
    /// number is answered as such (the new ward must ask for the current one); anything else is refused (403
    /// <see cref="OtherMunicipalityCode"/>), so verification is no lookup of another ward's residents.
    /// </summary>
    public VerifyNumberResponse VerifyNumber(VerifyNumberRequest request, LocalGovernmentCode caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _store.Database.InTransaction((c, t) =>
        {
            var owner = _store.MunicipalityOf(c, t, request.ResidentCode);
            var outcome = Verify(c, t, request);
            if (owner is null || owner == caller) return new VerifyNumberResponse(outcome);
            switch (outcome)
            {
                case NumberVerificationOutcome.Matches:
                    _store.MoveResident(c, t, request.ResidentCode, caller, _time.GetUtcNow());
                    return new VerifyNumberResponse(outcome);
                case NumberVerificationOutcome.Superseded:
                    return new VerifyNumberResponse(outcome);
                default:
                    throw OtherMunicipality();
            }
        });
    }

    /// <summary>Whether a number is (or was) the code's, for J-LIS itself (no caller). Reads only.</summary>
    public VerifyNumberResponse VerifyNumber(VerifyNumberRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var c = _store.Database.Open();
        return new VerifyNumberResponse(Verify(c, null, request));
    }

    private NumberVerificationOutcome Verify(DbConnection c, DbTransaction? t, VerifyNumberRequest request)
    {
        var current = _store.FindCurrent(c, t, request.ResidentCode);
        if (current is null) return NumberVerificationOutcome.NoNumberDesignated;
        if (current.IndividualNumber == request.IndividualNumber) return NumberVerificationOutcome.Matches;
        // Whose number is it? The keyed permutation answers without a lookup table.
        var (code, generation) = _deriver.Invert(request.IndividualNumber);
        return code == request.ResidentCode && generation < current.Generation
            ? NumberVerificationOutcome.Superseded
            : NumberVerificationOutcome.Mismatch;
    }

    /// <summary>403: the resident-record code, number or card belongs to another municipality's resident.</summary>
    public const string OtherMunicipalityCode = "resident-of-another-municipality";

    internal const string OtherMunicipalityReason =
        "the resident-record code belongs to a resident of another municipality (他の市区町村の住民の住民票コードです)";

    public static RefusalException OtherMunicipality() => new(403, OtherMunicipalityCode,
        "a ward acts only for its own residents; this resident belongs to another municipality (他の市区町村の住民です)");

    /// <summary>Refuses unless the code is <paramref name="municipality"/>'s resident's or unknown to J-LIS.</summary>
    private void RequireResidentOf(DbConnection c, DbTransaction t, ResidentCode code, LocalGovernmentCode municipality)
    {
        if (_store.MunicipalityOf(c, t, code) is { } owner && owner != municipality) throw OtherMunicipality();
    }

    /// <summary>Changes a leaked number (個人番号の変更): the next generation; the old number stays in the history and is never issued again.</summary>
    public ChangeNumberResponse ChangeNumber(ChangeNumberRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId, "requestId");
        if (!Enum.IsDefined(request.Reason))
            throw RefusalException.BadRequest("invalid-request", "reason is not a known change reason (変更事由が不正です)");
        var fingerprint = Fingerprint($"change|{request.Municipality.Digits}|{request.ResidentCode.ToInt64()}|{request.Reason}");
        return Idempotent(request.RequestId, "change", fingerprint, (c, t, now) =>
        {
            RequireResidentOf(c, t, request.ResidentCode, request.Municipality);
            if (_store.IsRetired(c, t, request.ResidentCode)) throw Retired();
            var current = _store.FindCurrent(c, t, request.ResidentCode, forUpdate: true)
                ?? throw RefusalException.Conflict("no-number-designated",
                    "no number has been designated for this resident-record code (個人番号が指定されていません)");
            if (current.Generation >= NumberDeriver.MaxGeneration)
                throw RefusalException.Conflict("generation-exhausted",
                    $"this resident-record code has used all {NumberDeriver.GenerationCount} numbers it can have; change the resident-record code first " +
                    "(この住民票コードでは個人番号をこれ以上変更できません。住民票コードの変更が必要です)");
            var next = _deriver.Derive(request.ResidentCode, current.Generation + 1);
            if (!_store.Supersede(c, t, current, next, request.Municipality, request.Reason, now))
                throw new ConcurrentChange();
            return new ChangeNumberResponse(next, current.Generation + 1);
        });
    }

    /// <summary>
    /// Issues a new resident-record code (住民票コードの指定): ten random digits from <see cref="RandomNumberGenerator"/>
    /// and the check digit, never one J-LIS has issued, retired or designated a number for.
    /// </summary>
    public IssueResidentCodeResponse IssueResidentCode(IssueResidentCodeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId, "requestId");
        if (!Enum.IsDefined(request.Reason))
            throw RefusalException.BadRequest("invalid-request", "reason is not a known issue reason (指定事由が不正です)");
        var fingerprint = Fingerprint($"issue|{request.Municipality.Digits}|{request.Reason}");
        return Idempotent(request.RequestId, "issue-code", fingerprint, (c, t, now) =>
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var body = (long)RandomNumberGenerator.GetInt32(100_000) * 100_000 + RandomNumberGenerator.GetInt32(100_000);
                var code = ResidentCode.FromBody(body);
                if (_store.IsKnownCode(c, t, code.ToInt64())) continue;
                if (_store.TryInsertIssuedCode(c, t, code, request.Municipality, request.Reason, now))
                    return new IssueResidentCodeResponse(code);
            }
            throw new InvalidOperationException("no free resident-record code found after 100 random draws");
        });
    }

    public void Dispose() => _deriver.Dispose();

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction together with the request record, or returns the stored
    /// answer of an earlier request with the same ID. The same ID with a different request is refused.
    /// </summary>
    private T Idempotent<T>(Guid requestId, string operation, string fingerprint, Func<DbConnection, DbTransaction, DateTimeOffset, T> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return _store.Database.InTransaction((c, t) =>
                {
                    var now = _time.GetUtcNow();
                    var stored = _store.Requests.Claim(c, t, requestId, operation, fingerprint, now);
                    if (stored is not null)
                    {
                        if (stored.Operation != operation || stored.Fingerprint != fingerprint || stored.Response is null)
                            throw RefusalException.Conflict("request-id-reused",
                                "this request ID was already used for a different request (要求IDが別の要求で使用済みです)");
                        return JsonSerializer.Deserialize<T>(stored.Response, Json)!;
                    }
                    var result = work(c, t, now);
                    _store.Requests.Complete(c, t, requestId, JsonSerializer.Serialize(result, Json));
                    return result;
                });
            }
            catch (ConcurrentChange) when (attempt < MaxAttempts)
            {
                // Another transaction changed the same code first; start over and see its result.
            }
            catch (ConcurrentChange)
            {
                throw RefusalException.Conflict("concurrent-change",
                    "the number was being changed by another request; try again (他の要求と競合しました)");
            }
        }
    }

    private sealed class ConcurrentChange : Exception;

    private static RefusalException Retired() => RefusalException.Conflict("resident-code-retired",
        "J-LIS has retired this resident-record code (この住民票コードは使用できません)");

    private static void RequireId(Guid id, string name)
    {
        if (id == Guid.Empty)
            throw RefusalException.BadRequest("invalid-request", $"{name}: missing or empty (要求IDがありません)");
    }

    private static string Fingerprint(string canonical) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

    private static string BatchFingerprint(LocalGovernmentCode municipality, long[] codes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.ASCII.GetBytes("batch|" + municipality.Digits + "|"));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(codes.AsSpan()));
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
