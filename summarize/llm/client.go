package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// NewHTTPClient returns a client for model servers. Its transport is a
// clone of http.DefaultTransport, so HTTPS_PROXY, NO_PROXY and
// SSL_CERT_FILE apply as they do everywhere else (a local server on
// 127.0.0.1 bypasses the proxy), and it has no overall timeout: every
// request carries its context's deadline.
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// maxResponse bounds a completion response; a two-sentence answer is a
// few hundred bytes.
const maxResponse = 1 << 20

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// chatRequest is the OpenAI-compatible /chat/completions request, with
// only the fields every compatible server (Ollama, llama.cpp, vLLM, hosted
// APIs) accepts.
type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	MaxTokens   int           `json:"max_tokens,omitempty"`
	Temperature float64       `json:"temperature"`
	Stream      bool          `json:"stream"`
}

type chatResponse struct {
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
}

// answer is the model's reply as received, and as cached.
type answer struct {
	Content string `json:"content"`
	// Truncated is set when the server stopped at max_tokens.
	Truncated bool `json:"truncated,omitempty"`
}

// statusError is a non-200 reply.
type statusError struct {
	Status     int
	RetryAfter time.Duration // from the Retry-After header; 0 if none
	Message    string        // the server's error message, if it gave one
}

func (e *statusError) Error() string {
	msg := fmt.Sprintf("llm: server answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		msg += " (check BRIEFBOT_LLM_API_KEY)"
	case http.StatusNotFound:
		msg += " (check summarize.llm.base_url, which should end in /v1, and that summarize.llm.model is served there)"
	}
	return msg
}

// retryable: rate limits and server-side failures pass; other statuses
// say the request itself is wrong.
func (e *statusError) retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// post sends one completion request.
func (s *Summarizer) post(ctx context.Context, body []byte) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return answer{}, fmt.Errorf("llm: building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if s.opts.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+s.opts.APIKey)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("llm: request to %s: %w", s.endpoint, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return answer{}, fmt.Errorf("llm: reading response from %s: %w", s.endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return answer{}, &statusError{Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()), Message: errorMessage(data)}
	}
	if len(data) > maxResponse {
		return answer{}, fmt.Errorf("llm: response from %s is larger than %d bytes", s.endpoint, maxResponse)
	}
	var cr chatResponse
	if err := json.Unmarshal(data, &cr); err != nil {
		return answer{}, fmt.Errorf("llm: response from %s is not a chat completion: %w", s.endpoint, err)
	}
	if len(cr.Choices) == 0 {
		return answer{}, fmt.Errorf("llm: response from %s has no choices", s.endpoint)
	}
	c := cr.Choices[0]
	return answer{Content: c.Message.Content, Truncated: c.FinishReason == "length"}, nil
}

// errorMessage extracts {"error":{"message":…}} or {"error":"…"}, the two
// shapes compatible servers use, cut to a line.
func errorMessage(data []byte) string {
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(data, &v) != nil || len(v.Error) == 0 {
		return ""
	}
	var msg string
	var obj struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(v.Error, &obj) == nil && obj.Message != "" {
		msg = obj.Message
	} else if json.Unmarshal(v.Error, &msg) != nil {
		return ""
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// errHeld is returned when the server asked us to wait past the deadline.
var errHeld = errors.New("llm: server asked to wait (Retry-After) beyond the deadline")
