using Renkei.Intermediate.Contracts;
using Renkei.Jlis.Contracts;

namespace Renkei.Municipality.Tokens;

/// <summary>
/// The ward's intermediate server (中間サーバー) as <see cref="TokenAcquirer"/> needs it: pending registrations before
/// J-LIS is asked, and afterwards who holds a token (asked in pieces of <see cref="IntermediateNodeRoutes.MaxStatusAddressees"/>).
/// The token itself never leaves the intermediate server. Registrations are made for <paramref name="actor"/> (the ward's
/// token acquisition runs as a job of its own: <see cref="Job"/>), which the intermediate server keeps with them.
/// </summary>
public sealed class IntermediateTokenInbox(IIntermediateTokenClient intermediate, string holder, Actor actor) : ITokenInbox
{
    /// <summary>The ward's token acquisition (after a register event, and in bulk), acting as a job of its own.</summary>
    public static readonly Actor Job = Actor.System("token-acquisition", "resident-register");

    public async Task<bool> RegisterPendingAsync(Guid requestId, long addresseeNumber, CancellationToken cancellationToken = default) =>
        (await intermediate.RegisterPendingTokenAsync(new PendingTokenRequest(requestId, holder, addresseeNumber, actor), cancellationToken)).HasToken;

    public Task RegisterPendingBatchAsync(Guid batchId, IReadOnlyList<long> addresseeNumbers, CancellationToken cancellationToken = default) =>
        intermediate.RegisterPendingTokenBatchAsync(new PendingTokenBatchRequest(batchId, holder, addresseeNumbers, actor), cancellationToken);

    public async Task<IReadOnlyList<bool>> HasTokensAsync(IReadOnlyList<long> addresseeNumbers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addresseeNumbers);
        var holds = new bool[addresseeNumbers.Count];
        for (var start = 0; start < addresseeNumbers.Count; start += IntermediateNodeRoutes.MaxStatusAddressees)
        {
            var piece = addresseeNumbers.Skip(start).Take(IntermediateNodeRoutes.MaxStatusAddressees).ToArray();
            var status = await intermediate.TokenStatusAsync(new TokenStatusRequest(holder, piece), cancellationToken);
            var byAddressee = new Dictionary<long, bool>(status.Addressees.Count);
            foreach (var state in status.Addressees) byAddressee[state.AddresseeNumber] = state.HasToken;
            for (var i = 0; i < piece.Length; i++) holds[start + i] = byAddressee.GetValueOrDefault(piece[i]);
        }
        return holds;
    }
}
