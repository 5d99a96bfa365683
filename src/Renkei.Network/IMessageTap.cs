namespace Renkei.Network;

/// <summary>
/// Sees every message body the network receives: each request body on its routes (before it is verified or parsed,
/// with the institution it claims to come from) and each answer from an institution's node. For tests that check the
/// network never receives an individual number or a basic fact. Called on the request's thread; must not throw.
/// </summary>
public interface IMessageTap
{
    /// <param name="route">the network route (e.g. <c>linkage/immediate</c>), or <c>node:</c> + the node route for a node's answer</param>
    /// <param name="institution">the sender as claimed (a request's signature header, or the node's institution code)</param>
    void Received(string route, string? institution, ReadOnlySpan<byte> body);
}
