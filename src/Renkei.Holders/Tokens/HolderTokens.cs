using System.Globalization;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Numbers;
using Renkei.Holders.Storage;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Holders.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Holders.Tokens;

/// <summary>
/// Token acquisition (符号取得) for the holder's people, exactly as a ward does it: register the request as pending at the
/// holder's own intermediate server, ask J-LIS with the individual number (signed as the holder), and the network
/// delivers the token to that intermediate server. The token never reaches the holder's own systems; the holder notes
/// only that the person has one. Request ids are derived from the holder and the person IDs, so any run can be repeated.
/// </summary>
public sealed class HolderTokens
{
    private static readonly Guid Namespace = new("6f1f8f4e-4c1d-4a53-9a3e-6b0d2f51c7a1");

    private readonly HolderStore _store;
    private readonly TokenAcquirer? _acquirer;
    private readonly TimeProvider _clock;

    /// <param name="jlis">J-LIS's token client, signing as the holder; null when the holder is not set up to acquire tokens.</param>
    public HolderTokens(HolderStore store, string institutionCode, IIntermediateTokenClient intermediate, IJlisTokenClient? jlis, TimeProvider clock)
    {
        _store = store;
        InstitutionCode = institutionCode;
        _clock = clock;
        _acquirer = jlis is null ? null : new TokenAcquirer(institutionCode, new IntermediateTokenInbox(intermediate, institutionCode, IntermediateTokenInbox.Job), jlis);
    }

    public string InstitutionCode { get; }

    public bool Configured => _acquirer is not null;

    /// <summary>
    /// Acquires tokens for the people with <paramref name="numbers"/>, or (null) for everyone the holder keeps who has none
    /// yet, in J-LIS batches of <paramref name="batchSize"/>.
    /// </summary>
    /// <exception cref="RefusalException">Not set up for tokens, or a number is not one the holder keeps.</exception>
    /// <exception cref="JlisException">J-LIS refused a batch as a whole or could not reach the network.</exception>
    public async Task<TokenAcquisitionReport> AcquireAsync(IReadOnlyList<IndividualNumber>? numbers, int batchSize = TokenAcquirer.DefaultChunkSize,
        IProgress<TokenAcquisitionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var acquirer = _acquirer ?? throw NotConfigured();
        if (batchSize is < 1 or > JlisTokenRoutes.MaxBatchItems)
            throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request", $"batchSize: 1 … {JlisTokenRoutes.MaxBatchItems} (件数が正しくありません)");
        var subjects = numbers is null ? Everyone() : Named(numbers);
        if (subjects.Count == 0) return new TokenAcquisitionReport(0, 0, []);
        var summary = await acquirer.AcquireManyAsync(RunId(subjects), subjects, batchSize, progress, cancellationToken);
        var notHeld = summary.Refused.Select(r => r.AddresseeNumber).Concat(summary.NotDelivered).ToHashSet();
        var held = subjects.Select(s => s.AddresseeNumber).Where(a => !notHeld.Contains(a)).ToList();
        _store.MarkTokenAcquired(held, _clock.GetUtcNow());
        return new TokenAcquisitionReport(subjects.Count, held.Count,
            summary.Refused.Select(r => new RefusedPerson(r.AddresseeNumber, r.Code, r.Reason)).ToList());
    }

    /// <summary>One person's token (when the holder first records the person). Returns whether the intermediate server holds it now.</summary>
    public async Task<bool> AcquireOneAsync(long personId, IndividualNumber number, CancellationToken cancellationToken = default)
    {
        var acquirer = _acquirer ?? throw NotConfigured();
        var delivered = await acquirer.AcquireAsync(TokenAcquirer.DerivedId(Namespace, $"{InstitutionCode}/person/{personId.ToString(CultureInfo.InvariantCulture)}"),
            new TokenSubject(personId, number), cancellationToken);
        if (delivered) _store.MarkTokenAcquired([personId], _clock.GetUtcNow());
        return delivered;
    }

    private List<TokenSubject> Everyone()
    {
        var subjects = new List<TokenSubject>();
        long after = 0;
        while (true)
        {
            var page = _store.PeopleWithoutToken(after, 50_000);
            if (page.Count == 0) return subjects;
            subjects.AddRange(page.Select(p => new TokenSubject(p.PersonId, p.Number)));
            after = page[^1].PersonId;
        }
    }

    private List<TokenSubject> Named(IReadOnlyList<IndividualNumber> numbers)
    {
        using var c = _store.Database.Open();
        var subjects = new List<TokenSubject>(numbers.Count);
        var seen = new HashSet<long>();
        for (var i = 0; i < numbers.Count; i++)
        {
            var personId = _store.FindPerson(c, null, numbers[i])
                ?? throw new RefusalException(StatusCodes.Status404NotFound, "unknown-person",
                    $"individualNumbers[{i}]: no person with this individual number is recorded (この個人番号の記録はありません)");
            if (seen.Add(personId)) subjects.Add(new TokenSubject(personId, numbers[i]));
        }
        return subjects;
    }

    /// <summary>The same people in the same order make the same run (and so the same J-LIS batches).</summary>
    private Guid RunId(IReadOnlyList<TokenSubject> subjects)
    {
        var text = new System.Text.StringBuilder(InstitutionCode).Append("/run");
        foreach (var subject in subjects) text.Append('|').Append(subject.AddresseeNumber.ToString(CultureInfo.InvariantCulture));
        return TokenAcquirer.DerivedId(Namespace, text.ToString());
    }

    private static RefusalException NotConfigured() => new(StatusCodes.Status409Conflict, "tokens-not-configured",
        "token acquisition needs J-LIS's address and the holder's network keys (符号取得の設定がありません)");
}

/// <summary>
/// An institution's intermediate server as the place its tokens are delivered to (<see cref="ITokenInbox"/> over the
/// intermediate server's token routes): pending requests and batches are registered there, and it says who holds a token.
/// Registrations are made for <paramref name="actor"/>, which the intermediate server keeps with them.
/// </summary>
public sealed class IntermediateTokenInbox(IIntermediateTokenClient client, string holder, Actor actor) : ITokenInbox
{
    /// <summary>The holder's token acquisition, acting as a job of its own.</summary>
    public static readonly Actor Job = Actor.System("token-acquisition", "token-acquisition");

    public async Task<bool> RegisterPendingAsync(Guid requestId, long addresseeNumber, CancellationToken cancellationToken = default) =>
        (await client.RegisterPendingTokenAsync(new PendingTokenRequest(requestId, holder, addresseeNumber, actor), cancellationToken)).HasToken;

    public Task RegisterPendingBatchAsync(Guid batchId, IReadOnlyList<long> addresseeNumbers, CancellationToken cancellationToken = default) =>
        client.RegisterPendingTokenBatchAsync(new PendingTokenBatchRequest(batchId, holder, addresseeNumbers, actor), cancellationToken);

    public async Task<IReadOnlyList<bool>> HasTokensAsync(IReadOnlyList<long> addresseeNumbers, CancellationToken cancellationToken = default)
    {
        var held = new HashSet<long>();
        for (var start = 0; start < addresseeNumbers.Count; start += IntermediateNodeRoutes.MaxStatusAddressees)
        {
            var chunk = addresseeNumbers.Skip(start).Take(IntermediateNodeRoutes.MaxStatusAddressees).ToList();
            var status = await client.TokenStatusAsync(new TokenStatusRequest(holder, chunk), cancellationToken);
            foreach (var state in status.Addressees) if (state.HasToken) held.Add(state.AddresseeNumber);
        }
        return addresseeNumbers.Select(held.Contains).ToList();
    }
}
