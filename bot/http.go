package bot

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

const (
	// maxInteractionBody bounds a request body; interactions are a few KB.
	maxInteractionBody = 256 << 10
	// maxSignatureAge is how far X-Signature-Timestamp may be from now, so
	// a captured request cannot be replayed later.
	maxSignatureAge = 5 * time.Minute
)

// Reasons a request is refused with 401.
var (
	errBadSignature   = errors.New("bad request signature")
	errStaleSignature = errors.New("request timestamp too far from now")
)

// InteractionsHandler serves Discord's HTTP interactions endpoint (the
// "Interactions Endpoint URL" in the Developer Portal), for hosting without
// a gateway connection. It verifies the Ed25519 signature over timestamp
// and body, refuses timestamps more than 5 minutes from now (a replay),
// answers PING, and runs commands and autocomplete through the same
// handlers as the gateway, answering in the response body. A deferred
// answer is then edited in through the session's REST client.
func (b *Bot) InteractionsHandler(publicKey ed25519.PublicKey) http.Handler {
	if len(publicKey) != ed25519.PublicKeySize {
		panic("bot: InteractionsHandler needs a 32-byte Ed25519 public key (see ParsePublicKey)")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "reading body failed", http.StatusBadRequest)
			return
		}
		if err := verifySignature(publicKey, r.Header.Get("X-Signature-Ed25519"), r.Header.Get("X-Signature-Timestamp"), body, b.now()); err != nil {
			// Info, not Warn: Discord sends badly signed requests on purpose
			// when the endpoint URL is saved, to see them refused.
			b.log.Info("refused an interaction request: check discord.public_key if this persists",
				slog.String("remote", r.RemoteAddr), slog.Any("err", err))
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		var in discordgo.Interaction
		if err := json.Unmarshal(body, &in); err != nil {
			http.Error(w, "body is not an interaction", http.StatusBadRequest)
			return
		}
		switch in.Type {
		case discordgo.InteractionPing:
			writeResponse(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
			return
		case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete:
		default:
			http.Error(w, "unsupported interaction type", http.StatusBadRequest)
			return
		}
		b.serveHTTP(w, r, &in)
	})
}

// httpAnswer hands the first response from the handler to the HTTP request
// and reports back once it has been written.
type httpAnswer struct {
	resp    *discordgo.InteractionResponse
	written chan error
}

// serveHTTP runs the interaction's handler and writes its first response as
// the HTTP response. The handler goes on (editing a deferred answer,
// sending followups) after the request has been answered.
func (b *Bot) serveHTTP(w http.ResponseWriter, r *http.Request, in *discordgo.Interaction) {
	first := make(chan httpAnswer)
	gone := make(chan struct{}) // closed when this request no longer takes a response
	done := make(chan struct{})
	accepted := false
	defer close(gone)
	go func() {
		defer close(done)
		accepted = b.handle(in, func(ctx context.Context, resp *discordgo.InteractionResponse) error {
			a := httpAnswer{resp: resp, written: make(chan error, 1)}
			select {
			case first <- a:
			case <-gone:
				return errors.New("the HTTP request ended before the response was ready")
			case <-ctx.Done():
				return ctx.Err()
			}
			return <-a.written
		})
	}()
	select {
	case a := <-first:
		a.written <- writeResponse(w, a.resp)
	case <-done:
		if !accepted {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		// Nothing to say: the interaction was answered before (a duplicate).
		http.Error(w, "interaction already handled", http.StatusConflict)
	case <-r.Context().Done():
	}
}

// writeResponse writes an interaction response as the whole HTTP response
// and flushes it, so Discord has it before any edit of a deferred answer.
func writeResponse(w http.ResponseWriter, resp *discordgo.InteractionResponse) error {
	body, err := json.Marshal(resp)
	if err != nil {
		http.Error(w, "encoding the response failed", http.StatusInternalServerError)
		return fmt.Errorf("encoding the interaction response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("writing the interaction response: %w", err)
	}
	if err := http.NewResponseController(w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("flushing the interaction response: %w", err)
	}
	return nil
}

// verifySignature checks Discord's Ed25519 signature over timestamp+body
// and that the timestamp is within maxSignatureAge of now.
func verifySignature(key ed25519.PublicKey, sigHex, timestamp string, body []byte, now time.Time) error {
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errBadSignature
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errBadSignature
	}
	msg := make([]byte, 0, len(timestamp)+len(body))
	msg = append(append(msg, timestamp...), body...)
	if !ed25519.Verify(key, msg, sig) {
		return errBadSignature
	}
	if age := now.Sub(time.Unix(sec, 0)); age > maxSignatureAge || age < -maxSignatureAge {
		return fmt.Errorf("%w: %s", errStaleSignature, age.Round(time.Second))
	}
	return nil
}
