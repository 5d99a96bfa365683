using System.Collections.Concurrent;
using System.Net;
using Renkei.Core.Numbers;
using Renkei.Jlis.Contracts;

namespace Renkei.Municipality.Tests;

/// <summary>
/// A hand-written J-LIS for unit tests of the register's logic: numbers are a bijection of the code,
/// every create is idempotent by request/batch id, and failures can be injected.
/// </summary>
internal sealed class FakeJlis : IJlisNumberingClient
{
    private readonly object _gate = new();
    private readonly Dictionary<Guid, ResidentCode> _issued = [];
    private readonly Dictionary<long, List<IndividualNumber>> _numbers = [];
    private readonly HashSet<long> _allNumbers = [];
    private readonly Dictionary<Guid, NumberingBatchResponse> _batches = [];
    private readonly Dictionary<Guid, ChangeNumberResponse> _changes = [];
    private readonly Random _random = new(20240101);

    public int BatchCalls;
    public readonly List<Guid> BatchIdsSeen = [];
    public readonly Dictionary<long, string> RefuseCodes = [];
    /// <summary>Codes left out of the file this many more times.</summary>
    public readonly Dictionary<long, int> OmitCodes = [];
    /// <summary>Codes added to the next file although they were not asked for.</summary>
    public readonly List<ResidentCode> ExtraCodes = [];
    /// <summary>Called with the call number (1-based) before J-LIS processes a batch; may throw.</summary>
    public Action<int>? BeforeBatch;
    /// <summary>Called after J-LIS processed a batch and before the answer is returned; may throw (the answer is lost).</summary>
    public Action<int>? AfterBatch;

    public static IndividualNumber NumberFor(ResidentCode code, int generation = 1)
    {
        // A bijection on 11-digit bodies: multiply by an odd number not divisible by 5, mod 10^11.
        var x = (code.ToInt64() + (generation - 1) * 7_919L) % IndividualNumber.BodyCount;
        var body = (long)((UInt128)(ulong)x * 3_141_592_653UL % (ulong)IndividualNumber.BodyCount);
        return IndividualNumber.FromBody(body);
    }

    public IndividualNumber? CurrentNumber(ResidentCode code)
    {
        lock (_gate) return _numbers.TryGetValue(code.ToInt64(), out var list) ? list[^1] : null;
    }

    public Task<IssueResidentCodeResponse> IssueResidentCodeAsync(IssueResidentCodeRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_issued.TryGetValue(request.RequestId, out var code))
            {
                code = ResidentCode.FromBody(_random.NextInt64(1_000_000_000L, ResidentCode.BodyCount));
                _issued[request.RequestId] = code;
            }
            return Task.FromResult(new IssueResidentCodeResponse(code));
        }
    }

    public Task<NumberAssignment> DeriveNumberAsync(DeriveNumberRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(new NumberAssignment(request.ResidentCode, Designate(request.ResidentCode)));
    }

    private IndividualNumber Designate(ResidentCode code)
    {
        if (_numbers.TryGetValue(code.ToInt64(), out var list)) return list[^1];
        var number = NumberFor(code);
        if (!_allNumbers.Add(number.ToInt64())) throw new InvalidOperationException("fake J-LIS collision");
        _numbers[code.ToInt64()] = [number];
        return number;
    }

    public Task<NumberingBatchResponse> RequestBatchAsync(NumberingBatchRequest request, CancellationToken cancellationToken = default)
    {
        int call;
        lock (_gate) { call = ++BatchCalls; BatchIdsSeen.Add(request.BatchId); }
        BeforeBatch?.Invoke(call);
        NumberingBatchResponse response;
        lock (_gate)
        {
            if (!_batches.TryGetValue(request.BatchId, out response!))
            {
                var assignments = new List<NumberAssignment>();
                var refused = new List<RefusedResidentCode>();
                foreach (var code in request.ResidentCodes)
                {
                    if (RefuseCodes.TryGetValue(code.ToInt64(), out var reason)) { refused.Add(new RefusedResidentCode(code, reason)); continue; }
                    if (OmitCodes.TryGetValue(code.ToInt64(), out var times) && times > 0) { OmitCodes[code.ToInt64()] = times - 1; continue; }
                    assignments.Add(new NumberAssignment(code, Designate(code)));
                }
                foreach (var extra in ExtraCodes) assignments.Add(new NumberAssignment(extra, Designate(extra)));
                ExtraCodes.Clear();
                response = new NumberingBatchResponse(request.BatchId, assignments, refused);
                _batches[request.BatchId] = response;
            }
        }
        AfterBatch?.Invoke(call);
        return Task.FromResult(response);
    }

    public Task<VerifyNumberResponse> VerifyNumberAsync(VerifyNumberRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_numbers.TryGetValue(request.ResidentCode.ToInt64(), out var list))
                return Task.FromResult(new VerifyNumberResponse(NumberVerificationOutcome.NoNumberDesignated));
            var outcome = list[^1] == request.IndividualNumber ? NumberVerificationOutcome.Matches
                : list.Contains(request.IndividualNumber) ? NumberVerificationOutcome.Superseded
                : NumberVerificationOutcome.Mismatch;
            return Task.FromResult(new VerifyNumberResponse(outcome));
        }
    }

    public Task<ChangeNumberResponse> ChangeNumberAsync(ChangeNumberRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_changes.TryGetValue(request.RequestId, out var done)) return Task.FromResult(done);
            if (!_numbers.TryGetValue(request.ResidentCode.ToInt64(), out var list))
                throw new JlisException(HttpStatusCode.NotFound, "no-number", "no number designated for this code");
            var generation = list.Count + 1;
            var number = NumberFor(request.ResidentCode, generation);
            while (!_allNumbers.Add(number.ToInt64())) number = NumberFor(request.ResidentCode, ++generation + 100);
            list.Add(number);
            var response = new ChangeNumberResponse(number, list.Count);
            _changes[request.RequestId] = response;
            return Task.FromResult(response);
        }
    }
}
